"""Trains small models with the real libraries and writes their own predictions, so the Swift tests
can check what ../shared/models does not cover: categorical splits fed raw floats (negative,
fractional, out-of-range and NaN categories), more objectives, DART, LightGBM's zero missing type
and average_output, a uint16-code feature, CatBoost RMSE and MultiClass.

usage: python model-fixtures.py OUT_DIR     (scripts/model-fixtures.sh makes the venv and runs it)

Writes OUT_DIR/manifest.json and, per model, <name>.<ext> (the model), <name>.rows.csv (float32
rows, %.9g, header f0..), <name>.pred.csv (row, margin_*, pred_*), <name>.leaf.csv (row, t*).
"""
import json
import os
import sys

import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(20261121)
N, F = 3000, 6
CAT = 5  # the categorical column


def base_rows(n):
    X = rng.normal(size=(n, F)).astype(np.float32)
    X[:, 1] = np.round(X[:, 1] * 4) / 4           # many ties
    X[:, CAT] = rng.integers(0, 12, n).astype(np.float32)
    X[rng.random((n, F)) < 0.08] = np.nan
    X[:, CAT][rng.random(n) < 0.05] = np.nan
    return X


def hostile_rows():
    """Rows that probe every rule: categories negative, fractional, out of range, NaN; ±0, tiny."""
    rows = []
    cats = [-1, -0.5, -0.0, 0, 0.5, 0.99, 1, 2.5, 3, 7, 11, 12, 31, 32, 33, 63, 64, 1e6,
            16777215, 16777216, 3e9, -3e9, 3e38, -3e38, float("nan")]
    for i, c in enumerate(cats):
        r = rng.normal(size=F).astype(np.float32)
        r[CAT] = c
        rows.append(r)
    for v in [0.0, -0.0, 1e-36, -1e-36, 1e-30, float("nan"), 3e38, -3e38]:
        rows.append(np.full(F, v, dtype=np.float32))
    return np.array(rows, dtype=np.float32)


X = base_rows(N)
score = np.nan_to_num(X[:, 0]) + 0.5 * np.nan_to_num(X[:, 2]) + np.where(np.isin(np.nan_to_num(X[:, CAT], nan=-1), [1, 3, 4, 7]), 1.0, -0.5)
y_bin = (score + rng.normal(size=N) * 0.5 > 0).astype(np.float32)
y_reg = (score + rng.normal(size=N) * 0.3).astype(np.float32)
y_cnt = rng.poisson(np.exp(np.clip(score, -2, 2) * 0.5)).astype(np.float32)
y_mc = np.digitize(score, [-0.5, 0.7]).astype(np.float32)
T = np.concatenate([base_rows(300), hostile_rows()]).astype(np.float32)
manifest = []


def write(name, file, library, margins, preds, leaves, rows=T):
    margins = np.asarray(margins, dtype=np.float64).reshape(len(rows), -1)
    preds = np.asarray(preds, dtype=np.float64).reshape(len(rows), -1)
    leaves = np.asarray(leaves).reshape(len(rows), -1)
    with open(os.path.join(out, f"{name}.rows.csv"), "w") as f:
        f.write(",".join(f"f{j}" for j in range(rows.shape[1])) + "\n")
        for r in rows:
            f.write(",".join("nan" if np.isnan(v) else "%.9g" % v for v in r) + "\n")
    with open(os.path.join(out, f"{name}.pred.csv"), "w") as f:
        f.write("row," + ",".join(f"margin_{k}" for k in range(margins.shape[1])) + ","
                + ",".join(f"pred_{k}" for k in range(preds.shape[1])) + "\n")
        for i in range(len(rows)):
            f.write(f"{i}," + ",".join(repr(float(v)) for v in margins[i]) + ","
                    + ",".join(repr(float(v)) for v in preds[i]) + "\n")
    with open(os.path.join(out, f"{name}.leaf.csv"), "w") as f:
        f.write("row," + ",".join(f"t{t}" for t in range(leaves.shape[1])) + "\n")
        for i in range(len(rows)):
            f.write(f"{i}," + ",".join(str(int(v)) for v in leaves[i]) + "\n")
    manifest.append(dict(name=name, file=file, library=library, outputs=int(margins.shape[1]),
                         predictions=int(preds.shape[1])))
    print("wrote", name, flush=True)


# ---- XGBoost
import xgboost as xgb

ftypes = ["q"] * F
ftypes[CAT] = "c"


def xgb_model(name, params, y, rounds, categorical=False, ubj=False, Xtrain=X):
    kw = dict(feature_types=ftypes, enable_categorical=True) if categorical else {}
    dtrain = xgb.DMatrix(Xtrain, label=y, missing=np.nan, **kw)
    params = dict(params, seed=1, nthread=1)
    booster = xgb.train(params, dtrain, rounds)
    file = f"{name}.{'ubj' if ubj else 'json'}"
    booster.save_model(os.path.join(out, file))
    dtest = xgb.DMatrix(T, missing=np.nan, **kw)
    write(name, file, "xgboost", booster.predict(dtest, output_margin=True), booster.predict(dtest),
          booster.predict(dtest, pred_leaf=True))


xgb_model("xgb_cat", dict(objective="binary:logistic", max_depth=4, eta=0.3, max_cat_to_onehot=1), y_bin, 20,
          categorical=True)
xgb_model("xgb_cat_onehot", dict(objective="binary:logistic", max_depth=3, eta=0.3, max_cat_to_onehot=64), y_bin, 10,
          categorical=True)
xgb_model("xgb_reg", dict(objective="reg:squarederror", max_depth=5, eta=0.2), y_reg, 30)
xgb_model("xgb_poisson", dict(objective="count:poisson", max_depth=4, eta=0.2), y_cnt, 20)
xgb_model("xgb_logitraw", dict(objective="binary:logitraw", max_depth=4, eta=0.3), y_bin, 15)
xgb_model("xgb_huber", dict(objective="reg:pseudohubererror", max_depth=4, eta=0.3), y_reg, 15)
xgb_model("xgb_softmax", dict(objective="multi:softmax", num_class=3, max_depth=4, eta=0.3), y_mc, 10, ubj=True)
xgb_model("xgb_dart", dict(objective="binary:logistic", booster="dart", max_depth=3, eta=0.3, rate_drop=0.3,
                           skip_drop=0.0), y_bin, 15)
# A feature with more than 253 distinct thresholds: uint16 codes.
Xw = X.copy()
Xw[:, 0] = rng.normal(size=N).astype(np.float32)
xgb_model("xgb_wide", dict(objective="reg:squarederror", max_depth=8, eta=0.1, max_bin=1024, tree_method="hist"),
          Xw[:, 0] * 3 + rng.normal(size=N).astype(np.float32) * 0.01, 80, Xtrain=Xw)

# ---- LightGBM
import lightgbm as lgb


def lgb_model(name, params, y, rounds, categorical=None):
    params = dict(params, seed=1, num_threads=1, verbose=-1, deterministic=True)
    ds = lgb.Dataset(X, label=y, categorical_feature=categorical if categorical else "auto", free_raw_data=False)
    booster = lgb.train(params, ds, rounds)
    file = f"{name}.txt"
    booster.save_model(os.path.join(out, file))
    write(name, file, "lightgbm", booster.predict(T, raw_score=True), booster.predict(T),
          booster.predict(T, pred_leaf=True))


lgb_model("lgb_cat", dict(objective="binary", num_leaves=15, learning_rate=0.2, min_data_per_group=20, cat_smooth=5,
                          max_cat_to_onehot=4), y_bin, 20, categorical=[CAT])
lgb_model("lgb_multiclass", dict(objective="multiclass", num_class=3, num_leaves=7, learning_rate=0.3), y_mc, 10)
lgb_model("lgb_huber", dict(objective="huber", num_leaves=15, learning_rate=0.2), y_reg, 15)
lgb_model("lgb_poisson", dict(objective="poisson", num_leaves=7, learning_rate=0.2), y_cnt, 15)
lgb_model("lgb_zero_missing", dict(objective="regression", num_leaves=15, learning_rate=0.2, zero_as_missing=True),
          y_reg, 15)
lgb_model("lgb_no_missing", dict(objective="regression", num_leaves=15, learning_rate=0.2, use_missing=False),
          y_reg, 15)
lgb_model("lgb_rf", dict(objective="regression", boosting="rf", num_leaves=15, bagging_fraction=0.7, bagging_freq=1,
                         feature_fraction=0.8), y_reg, 10)

# ---- CatBoost (optional: skipped when the package is missing)
try:
    import catboost as cb
except ImportError:
    cb = None
if cb is not None:
    def cb_model(name, model, y, proba):
        Xc = X.copy()
        Xc[:, CAT] = np.nan_to_num(Xc[:, CAT])  # numeric here; CatBoost categorical features are refused
        model.fit(Xc, y, verbose=False)
        file = f"{name}.json"
        model.save_model(os.path.join(out, file), format="json")
        margins = model.predict(T, prediction_type="RawFormulaVal")
        preds = model.predict_proba(T) if proba else model.predict(T)
        leaves = model.calc_leaf_indexes(cb.Pool(T))
        write(name, file, "catboost", margins, preds, leaves)

    cb_model("cb_rmse", cb.CatBoostRegressor(iterations=30, depth=4, loss_function="RMSE", nan_mode="Max",
                                             random_seed=1, thread_count=1, allow_writing_files=False), y_reg, False)
    cb_model("cb_multiclass", cb.CatBoostClassifier(iterations=20, depth=3, loss_function="MultiClass",
                                                    random_seed=1, thread_count=1, allow_writing_files=False),
             y_mc, True)

with open(os.path.join(out, "manifest.json"), "w") as f:
    json.dump(dict(models=manifest, versions=dict(
        xgboost=xgb.__version__, lightgbm=lgb.__version__, catboost=cb.__version__ if cb else None)), f, indent=1)
print("fixtures in", out)
