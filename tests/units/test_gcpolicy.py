"""The first Network raises Python's young-generation GC threshold, never lowers one."""

import gc

from ao_kernel import Network
from ao_kernel.gcpolicy import OPERATION_THRESHOLD


def test_a_network_makes_collections_rarer_but_respects_the_user_setting():
    saved = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        Network()
        assert gc.get_threshold() == (OPERATION_THRESHOLD, 10, 10)
        gc.set_threshold(50_000, 5, 5)
        Network()
        assert gc.get_threshold() == (50_000, 5, 5)
        gc.set_threshold(0, 10, 10)  # the user turned automatic collection off
        Network()
        assert gc.get_threshold() == (0, 10, 10)
    finally:
        gc.set_threshold(*saved)
