"""A directory written by Spark: the arrow engine reads only its parts, but the dataset's
identity stays DVC's own hash of every file (markers and checksums included), as `dvc add`
records it."""

from __future__ import annotations

import datacouple
from datacouple.identity import dataset_identity

from public_data import islp_frame
from spark_layout import spark_parquet_directory


def test_spark_directory_identity_is_what_dvc_add_records(dvc_repo):
    directory = spark_parquet_directory(dvc_repo.root / "data" / "hitters", islp_frame("Hitters"))
    before = dataset_identity(directory)  # no .dvc yet: computed

    dvc_repo.dvc("add", "data/hitters")
    out = dvc_repo.dvc_out("data/hitters.dvc")
    every_file = [p for p in directory.rglob("*") if p.is_file()]

    assert (before.hash, before.size, before.nfiles) == (out["md5"], out["size"], out["nfiles"])
    assert out["nfiles"] == len(every_file)  # _SUCCESS, .crc, _temporary/...: DVC hashes all
    document = datacouple.fingerprint(directory, repo_root=dvc_repo.root)
    assert document["dvc"] == {"hash": out["md5"], "size": out["size"], "nfiles": out["nfiles"]}
    assert document["rows"] == len(islp_frame("Hitters"))  # but only the parts are rows
