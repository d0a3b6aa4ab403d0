"""Tests of cxlib.dominance: published values and the implications between the dominance levels.

The ``swiss`` fixture is in conftest.py (shared with test_drivers.py).
"""

import numpy as np

from cxlib import drivers as dom_mod

SWISS_X = ["Agriculture", "Examination", "Education", "Catholic", "Infant.Mortality"]


def test_dominance(swiss):
    dom = dom_mod.dominance(swiss, score="Fertility", drivers=SWISS_X, scale=False)
    assert len(dom) == 20
    edu = dom[dom["driver"] == "Education"]
    assert edu["general"].all()   # largest LMG share (relaimpo)
    # complete implies conditional implies general
    assert (dom["conditional"] | ~dom["complete"]).all() and (dom["general"] | ~dom["conditional"]).all()
    both = dom.merge(dom, left_on=["driver", "over"], right_on=["over", "driver"])
    assert not (both["general_x"] & both["general_y"]).any()   # never both ways
    ci = dom_mod.conditional_importance(swiss, score="Fertility", drivers=SWISS_X, scale=False)
    means = ci.groupby("driver", sort=False)["contribution"].mean()   # = LMG: relaimpo on swiss (issue 7)
    np.testing.assert_allclose(means[SWISS_X], [0.05709122, 0.17117303, 0.26013468, 0.10557015, 0.11276592],
                               atol=1e-6)
