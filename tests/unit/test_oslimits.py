import resource

from fluentcrm_webhooks.oslimits import HEADROOM, fit_open_files, wanted_open_files

INFINITY = resource.RLIM_INFINITY


def test_raises_the_soft_limit_to_fit_the_attempts_in_flight():
    assert wanted_open_files(256, 1024, 524288) == 1024  # already enough: unchanged
    assert wanted_open_files(10_000, 1024, 524288) == 10_000 + HEADROOM
    assert wanted_open_files(10_000, 1024, INFINITY) == 10_000 + HEADROOM


def test_never_above_the_hard_limit_nor_below_the_soft_one():
    assert wanted_open_files(10_000, 1024, 4096) == 4096
    assert wanted_open_files(10, 50_000, 60_000) == 50_000
    assert wanted_open_files(10, INFINITY, INFINITY) == INFINITY


def test_fit_open_files_sets_what_it_computed():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        assert fit_open_files(100) == resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
