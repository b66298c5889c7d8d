"""Builds the anchors for `compare-trees.sh`: tl2cgen C (plain and quantize=1) and lleaves objects
for the two benchmark models, a benchmark row matrix, and each library's own margins for it.

Run by compare-trees.sh inside its virtual environment; writes everything into --work.
"""
import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys

import numpy as np


def sh(*args, cwd=None):
    subprocess.run(args, check=True, cwd=cwd)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--models", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--rows", type=int, default=100_000)
    a = p.parse_args()
    os.makedirs(a.work, exist_ok=True)
    import lightgbm as lgb
    import lleaves
    import tl2cgen
    import treelite
    import xgboost as xgb

    xgb_path = os.path.join(a.work, "xgb_bin.json")
    lgb_path = os.path.join(a.work, "lgb_reg.txt")
    for src, dst in (("xgb_bin.json.gz", xgb_path), ("lgb_reg.txt.gz", lgb_path)):
        with gzip.open(os.path.join(a.models, src), "rb") as f, open(dst, "wb") as g:
            shutil.copyfileobj(f, g)

    # Benchmark rows: each column bootstrapped independently from the 800 random test rows, so every
    # row is new (no branch predictor can learn them) but each value is realistic, NaN rate included.
    test = np.genfromtxt(os.path.join(a.models, "data_test.csv"), delimiter=",", skip_header=1,
                         dtype=np.float32)[:800]
    rng = np.random.default_rng(20261121)
    rows = np.empty((a.rows, test.shape[1]), dtype=np.float32)
    for j in range(test.shape[1]):
        rows[:, j] = test[rng.integers(0, test.shape[0], a.rows), j]
    rows.tofile(os.path.join(a.work, "rows.f32"))

    # The libraries' own margins for those rows.
    booster = xgb.Booster(model_file=xgb_path)
    booster.set_param({"nthread": 1})
    m = booster.predict(xgb.DMatrix(rows, missing=np.nan), output_margin=True).astype(np.float64)
    m.tofile(os.path.join(a.work, "xgb_bin.margin.f64"))
    lmodel = lgb.Booster(model_file=lgb_path)
    lmodel.predict(rows[:10], raw_score=True, num_threads=1)
    lmodel.predict(rows, raw_score=True, num_threads=1).astype(np.float64).tofile(
        os.path.join(a.work, "lgb_reg.margin.f64"))

    # tl2cgen: C code, plain and quantized, compiled with -O3 -march=native.
    cc = os.environ.get("CC", "gcc")
    for name, loader in (("xgb_bin", lambda: treelite.frontend.load_xgboost_model(xgb_path)),
                         ("lgb_reg", lambda: treelite.frontend.load_lightgbm_model(lgb_path))):
        model = loader()
        for variant, params in (("tl2cgen", {}), ("tl2cgen-quantize", {"quantize": 1})):
            src = os.path.join(a.work, f"{variant}_{name}")
            shutil.rmtree(src, ignore_errors=True)
            tl2cgen.generate_c_code(model, dirpath=src, params=params)
            sources = [os.path.join(src, f) for f in os.listdir(src) if f.endswith(".c")]
            sh(cc, "-O3", "-march=native", "-fPIC", "-shared", "-o",
               os.path.join(a.work, f"lib{variant}_{name}.so"), *sources, "-lm")

    # lleaves: one object per block size (500 for single rows, 34 for batches, as lleaves advises).
    for fblocksize, tag in ((500, "single"), (34, "batch")):
        obj = os.path.join(a.work, f"lleaves_{tag}.o")
        lleaves.Model(model_file=lgb_path).compile(cache=obj, raw_score=True, fblocksize=fblocksize)
        sh(cc, "-shared", "-o", os.path.join(a.work, f"liblleaves_{tag}.so"), obj)

    info = dict(
        rows=a.rows, features=int(rows.shape[1]),
        libxgboost=os.path.join(os.path.dirname(xgb.__file__), "lib", "libxgboost.so"),
        liblightgbm=os.path.join(os.path.dirname(lgb.__file__), "lib", "lib_lightgbm.so"),
        versions=dict(xgboost=xgb.__version__, lightgbm=lgb.__version__, treelite=treelite.__version__,
                      tl2cgen=tl2cgen.__version__, lleaves=getattr(lleaves, "__version__", "1.3.0")),
    )
    with open(os.path.join(a.work, "anchors.json"), "w") as f:
        json.dump(info, f, indent=1)
    print("anchors ready in", a.work)


if __name__ == "__main__":
    sys.exit(main())
