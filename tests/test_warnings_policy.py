"""The pytest configuration turns deprecations raised from synthscan's own code into errors
(pyproject.toml, ``filterwarnings``), so that a pandas/numpy deprecation such as pandas 3's
"will raise in a future version" fails CI in whichever environment meets it first."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest


def _warn_from(module: str, category: type[Warning]) -> None:
    """Raise a warning whose frame belongs to ``module``, as pandas attributes its own
    deprecations to the caller's module."""
    code = compile("warnings.warn('deprecated', category, stacklevel=1)", f"<{module}>", "exec")
    exec(code, {"__name__": module, "warnings": warnings, "category": category})


@pytest.mark.parametrize("category", [DeprecationWarning, FutureWarning])
def test_deprecations_from_synthscan_are_errors(category: type[Warning]) -> None:
    with pytest.raises(category):
        _warn_from("synthscan.encoding.encoder", category)


def test_deprecations_from_elsewhere_stay_warnings() -> None:
    with pytest.warns(DeprecationWarning):
        _warn_from("some_other_library", DeprecationWarning)


def test_unseen_synthetic_categories_are_encoded_without_a_deprecation() -> None:
    """pandas 3 deprecated building a Categorical from values outside its categories; the
    encoder meets exactly that when the synthetic table has a category the real data lacks."""
    from synthscan.data.schema import build_schema
    from synthscan.encoding.encoder import MixedEncoder

    rng = np.random.default_rng(0)
    real = pd.DataFrame({"c": rng.choice(["a", "b"], 50), "x": rng.normal(size=50)})
    synth = pd.DataFrame({"c": rng.choice(["a", "b", "new"], 50), "x": rng.normal(size=50)})
    schema, frames = build_schema({"train": real, "synthetic": synth},
                                  {"train": "train", "synthetic": "synthetic"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        enc = MixedEncoder("l1").fit([frames["train"]], schema.columns,
                                     others=[frames["synthetic"]])
        out = enc.transform(frames["synthetic"])
    assert out.shape[0] == 50 and np.isfinite(out).all()
