"""Attribute inference (WP29 "inference"): does the synthetic data let an attacker who knows some
of a person's attributes guess a secret one better for training records than for fresh records?

For a secret column y and known columns Q (default: every attackable column in turn as y, all the
others known; ``config.secret`` / ``config.known`` narrow it), two attackers are trained on the
synthetic rows only (``attackers``):

* **1-NN** (comparable with Anonymeter): the guess is y of the synthetic row nearest to the target
  on Q (Gower distance = L1 on the encoded Q dimensions). Exact ties are credited fractionally: a
  target scores the share of its tied nearest synthetic rows whose y is a correct guess, i.e. the
  expected success of a uniformly random tie-break — deterministic and independent of row order.
  One k-nearest search on all attacked columns serves every secret
  (``neighbors.subset.CandidateNN``); targets it cannot certify get an exact search on Q, so the
  answers equal one exact search per secret.
* **Gradient boosting** (the stronger learner, ``learner``): ``HistGradientBoosting`` on the
  native known columns, trained on a seeded sample of at most ``learner_rows`` synthetic rows.

Success (``columns``): categorical secrets — the exact value (a missing value is a value of its
own); numeric secrets — ``|guess - truth| <= tau * IQR(y)`` with the IQR of the pooled real column
(train ∪ holdout; the 1st-99th percentile span, then the min-max range, when the IQR is 0), never
relative to the guess. Targets whose numeric truth is missing are left out of that secret's
scoring (their number is reported); a missing guess never matches a present truth.

Targets (``plan``): equal numbers of training and holdout records (n = min(n_T, n_H,
``target_cap``), seeded samples), the same for every secret. Each (secret, attacker) pair is one
sub-test ``SubTest("secret / attacker", successes on training targets, n_T, successes on holdout
targets, n_H)``; its estimand is the absolute excess ``A_T - A_H``: the share of training records
whose secret is guessed *because* they were in the training data. The room ``1 - A_H`` is
reported as context only; a secret with no room (``A_H = 1``) simply has an excess near 0. The
verdict decides from all sub-tests (``stats.bounds.decide``) and reports the worst pair's excess
(the largest, biased upwards as a maximum over many pairs) with its two-sided interval. Each
pair's one-sided z-test p-value is descriptive only.

Population baseline: the same attacker trained on a random half of the holdout and evaluated on the
other half — what anyone learns from population data alone. When the synthetic-trained attacker
does significantly worse on holdout targets than this baseline (Newcombe interval of the
difference above 0), the synthetic data is less informative about that secret than population
data; such pairs are flagged.

Anonymeter-comparable mode (``config.mode == "anonymeter"``): the 1-NN attacker only and
``ANONYMETER_N_ATTACKS`` targets from each of train and holdout (the ``InferenceEvaluator``
default), but synthscan's tolerance rule and equal-size comparison.
"""

from .check import AttributeInference
from .columns import numeric_tolerance
from .plan import attack_plan

__all__ = ["AttributeInference", "attack_plan", "numeric_tolerance"]
