"""Inter-coder agreement statistics (pure: stdlib, numpy, scipy only).

DESIGN.md "Statistics conventions": per code and pooled, percent agreement, Cohen's kappa,
Krippendorff's alpha, Gwet's AC1, Brennan-Prediger / PABAK and Fleiss' kappa, with the 2x2
counts, a seeded bootstrap CI resampling documents, and n/a -- never 0 or NaN -- where a
coefficient is undefined. Every formula cites its source in its docstring and is tested
against a published worked example (tests/core/test_agreement_*.py).

One job per module: ``result`` (the NA type), ``pairwise`` (two coders on labels), ``fleiss``,
``krippendorff``, ``chance_corrected`` (AC1, Brennan-Prediger), ``binary`` (one code's 2x2
table), ``bootstrap`` (document-resampling CIs).
"""

from themeqa.core.agreement.binary import (
    BinaryAgreement,
    binary_code_agreement,
    binary_coefficients,
    from_counts,
)
from themeqa.core.agreement.bootstrap import (
    BootstrapCI,
    bootstrap_binary_ci,
    bootstrap_ci,
    bootstrap_tables_ci,
)
from themeqa.core.agreement.chance_corrected import brennan_prediger, gwet_ac1
from themeqa.core.agreement.fleiss import fleiss_kappa
from themeqa.core.agreement.krippendorff import (
    LEVELS,
    Level,
    coincidence_matrix,
    krippendorff_alpha,
)
from themeqa.core.agreement.pairwise import (
    cohen_kappa,
    contingency_table,
    pabak,
    percent_agreement,
)
from themeqa.core.agreement.result import NA, Coefficient, is_na

__all__ = [
    "LEVELS",
    "NA",
    "BinaryAgreement",
    "BootstrapCI",
    "Coefficient",
    "Level",
    "binary_code_agreement",
    "binary_coefficients",
    "bootstrap_binary_ci",
    "bootstrap_ci",
    "bootstrap_tables_ci",
    "brennan_prediger",
    "cohen_kappa",
    "coincidence_matrix",
    "contingency_table",
    "fleiss_kappa",
    "from_counts",
    "gwet_ac1",
    "is_na",
    "krippendorff_alpha",
    "pabak",
    "percent_agreement",
]
