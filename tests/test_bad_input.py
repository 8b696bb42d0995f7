"""Every malformed declaration is one collection error naming file, experiment and field."""

from __future__ import annotations

import pytest

CASES = {
    "low_not_below_high": ("{'lr': Real(1.0, 1.0)}", "def f(lr)",
                           "space['lr']: Real(1.0, 1.0): low (1.0) must be less than high (1.0)"),
    "log_needs_positive_low": ("{'lr': Real(0, 1, log=True)}", "def f(lr)",
                               "space['lr']: Real(0.0, 1.0, log=True): log=True needs low > 0, got low=0"),
    "integer_log_needs_positive_low": ("{'n': Integer(-2, 5, log=True)}", "def f(n)",
                                       "space['n']: Integer(-2, 5, log=True): log=True needs low > 0, got low=-2"),
    "integer_bounds": ("{'n': Integer(1.5, 5)}", "def f(n)", "space['n']: *low must be an integer, got 1.5"),
    "empty_choices": ("{'k': Categorical([])}", "def f(k)", "space['k']: Categorical([]): choices must not be empty"),
    "duplicate_choices": ("{'k': Categorical(['a', 'b', 'a'])}", "def f(k)",
                          "space['k']: *duplicate choice 'a'"),
    "not_a_dimension": ("{'k': [1, 2]}", "def f(k)",
                        "space['k']: expected Real, Integer or Categorical, got list [1, 2]"),
    "space_name_not_a_parameter": ("{'lr': Real(0.1, 1), 'depth': Integer(1, 3)}", "def f(lr)",
                                   "space['depth']: the function has no parameter 'depth' (parameters: lr)"),
    "unknown_fixture": ("{'lr': Real(0.1, 1)}", "def f(lr, dataset)",
                        "parameter 'dataset' is neither in the space nor a fixture*"),
    "bad_direction": ("{'lr': Real(0.1, 1)}, direction='max'", "def f(lr)",
                      "direction: expected 'maximize' or 'minimize', got 'max'"),
    "bad_strategy": ("{'lr': Real(0.1, 1)}, strategy='annealing'", "def f(lr)",
                     "strategy: expected one of *, got 'annealing'"),
    "bad_trials": ("{'lr': Real(0.1, 1)}, trials=0", "def f(lr)", "trials: expected a positive integer, got 0"),
    "bad_seed": ("{'lr': Real(0.1, 1)}, seed='abc'", "def f(lr)",
                 "seed: expected a non-negative integer, got 'abc'"),
    "seed_too_large": ("{'lr': Real(0.1, 1)}, seed=2**70", "def f(lr)",
                       "seed: expected an integer from 0 to 2**63 - 1, got 1180591620717411303424"),
    "unknown_argument": ("{'lr': Real(0.1, 1)}, budget=5", "def f(lr)", "unknown argument 'budget'*"),
    "reserved_trial_name": ("{'trial': Real(0.1, 1)}", "def f(trial)",
                            "space['trial']: 'trial' is reserved for the trial handle"),
    "empty_space": ("{}", "def f()", "space must name at least one parameter"),
    "start_not_a_list": ("{'lr': Real(0.1, 1)}, start={'lr': 0.5}", "def f(lr)",
                         "start: expected a list of dicts of parameter values (or 'history'), got dict {'lr': 0.5}"),
    "start_point_not_a_dict": ("{'lr': Real(0.1, 1)}, start=[0.5]", "def f(lr)",
                               "start[0]: expected a dict of parameter values, got float 0.5"),
    "start_unknown_parameter": ("{'lr': Real(0.1, 1)}, start=[{'lr': 0.5}, {'lr': 0.2, 'depth': 3}]", "def f(lr)",
                                "start[1]: 'depth' is not a parameter of the space (parameters: lr)"),
    "start_missing_parameter": ("{'lr': Real(0.1, 1), 'n': Integer(1, 3)}, start=[{'lr': 0.5}]", "def f(lr, n)",
                                ("start[0]: missing parameter 'n' (a start point gives a value for every "
                                 "active parameter of the space)")),
    "start_value_out_of_range": ("{'lr': Real(0.1, 1)}, start=[{'lr': 0.5}, {'lr': 2.0}]", "def f(lr)",
                                 "start[1]['lr']: expected a value of Real(0.1, 1.0), got 2.0"),
    "start_value_of_the_wrong_type": ("{'n': Integer(1, 3)}, start=[{'n': 2.5}]", "def f(n)",
                                      "start[0]['n']: expected a value of Integer(1, 3), got 2.5"),
    "start_value_not_a_choice": ("{'k': Categorical(['a', 'b'])}, start=[{'k': 'c'}]", "def f(k)",
                                 "start[0]['k']: expected a value of Categorical(['a', 'b']), got 'c'"),
    "start_duplicate_point": ("{'n': Integer(1, 3)}, start=[{'n': 2}, {'n': 1}, {'n': 2}]", "def f(n)",
                              "start[2]: the same parameters as start[0]"),
    "start_beyond_trials": ("{'n': Integer(1, 3)}, trials=2, start=[{'n': 1}, {'n': 2}, {'n': 3}]", "def f(n)",
                            ("start: 3 start points do not fit in a budget of 2 trials "
                             "(start points are trials of the budget)")),
    "condition_on_an_unknown_parameter": ("{'d': Integer(2, 5).when(kernel='poly')}", "def f(d=3)",
                                          ("space['d']: when(kernel=...): 'kernel' is not a parameter of the space "
                                           "(parameters: d)")),
    "condition_on_a_real": ("{'x': Real(0, 1), 'd': Integer(2, 5).when(x=1)}", "def f(x, d=3)",
                            ("space['d']: when(x=...): 'x' is a Real; a condition needs a Categorical or Integer "
                             "parent")),
    "condition_on_an_impossible_value": ("{'k': Categorical(['rbf']), 'd': Integer(2, 5).when(k='poly')}",
                                         "def f(k, d=3)",
                                         ("space['d']: when(k=...): 'poly' is not a value of 'k' "
                                          "(Categorical(['rbf']))")),
    "condition_cycle": ("{'a': Integer(1, 3).when(b=1), 'b': Integer(1, 3).when(a=1)}", "def f(a=1, b=1)",
                        "space: the conditions form a cycle (a -> b -> a)"),
    "condition_without_a_default": ("{'k': Categorical(['rbf', 'poly']), 'd': Integer(2, 5).when(k='poly')}",
                                    "def f(k, d)",
                                    ("space['d']: it is active only when(k='poly'), so the function gets no value "
                                     "when it is not: give the parameter a default (d=...)")),
    "constraint_raises": (("{'k': Categorical(['a', 'b']), 'd': Integer(2, 5).when(k='a')}, "
                           "constraints=[lambda p: p['d'] > 2]"), "def f(k, d=2)",
                          "constraints[0] (<lambda>) raised KeyError: 'd' for {'k': 'b'}"),
    "constraint_allows_nothing": ("{'n': Integer(1, 3)}, constraints=[lambda p: p['n'] > 5]", "def f(n)",
                                  "constraints: nothing is allowed (none of * parameter sets tried: *)"),
    "constraint_not_a_bool": ("{'n': Integer(1, 3)}, constraints=[lambda p: 'yes']", "def f(n)",
                              "constraints[0] (<lambda>) returned 'yes' for {'n': 1}: expected True or False"),
    "constraint_not_callable": ("{'n': Integer(1, 3)}, constraints=[3]", "def f(n)",
                                ("constraints[0]: expected a function of the parameters dict returning True or False, "
                                 "got int 3")),
    "branches_differ": ("Branches('model', a={'C': Real(0.1, 1)}, b={'C': Real(0.1, 2)})", "def f(model, C=0.5)",
                        ("space['C']: Real(0.1, 2.0): Branches('model'): 'C' differs between branches 'a' and 'b': "
                         "give them different names")),
    "hints_unknown_kind": ("{'n': Integer(1, 3)}, hints={'noise': False}", "def f(n)",
                           ("hints: unknown kind 'noise' (kinds: failures, limits, bounds, convergence, fit, "
                           "fold_noise)")),
    "hints_not_a_bool": ("{'n': Integer(1, 3)}, hints={'fold_noise': 'off'}", "def f(n)",
                         "hints['fold_noise']: expected True or False, got 'off'"),
    "start_forbidden": ("{'n': Integer(1, 3)}, constraints=[lambda p: p['n'] != 2], start=[{'n': 2}]", "def f(n)",
                        "start[0]: forbidden by the constraints"),
    "start_with_an_inactive_parameter": (("{'k': Categorical(['a', 'b']), 'd': Integer(2, 5).when(k='a')}, "
                                          "start=[{'k': 'b', 'd': 3}]"), "def f(k, d=2)",
                                         "start[0]['d']: inactive in this point (when(k='a')): leave it out"),
}


def _escape(pattern: str) -> str:
    """Make square brackets literal for fnmatch, keeping ``*`` as the wildcard."""
    return "".join({"[": "[[]", "]": "[]]"}.get(c, c) for c in pattern)


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_declaration_is_one_line_and_the_neighbour_still_runs(pytester: pytest.Pytester, case: str) -> None:
    space, signature, message = CASES[case]
    pytester.makepyfile(exp_case=f"""
        from tunekit import tunable, Real, Integer, Categorical, Branches

        @tunable(space={space})
        {signature.replace('def f', 'def tune_bad')}:
            return 1.0

        @tunable(space={{'x': Real(0, 1)}}, trials=2)
        def tune_good(x):
            return x
    """)
    result = pytester.runpytest("exp_case.py", "--continue-on-collection-errors")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([_escape(f"exp_case.py::tune_bad: {message}")])
    result.stdout.no_fnmatch_line("*Traceback*")
    result.assert_outcomes(passed=1, errors=1)


def test_bare_decorator_without_space(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(exp_bare="""
        from tunekit import tunable

        @tunable
        def tune_bare(x):
            return x
    """)
    result = pytester.runpytest("exp_bare.py")
    result.stdout.fnmatch_lines(["exp_bare.py::tune_bare: space: @tunable needs space=*"])
    assert result.ret == pytest.ExitCode.INTERRUPTED  # plain pytest stops on collection errors


MISUSES = {
    "applied_twice": (("@tunable(space={'x': Real(0, 1)})\n@tunable(space={'x': Real(0, 2)})\ndef tune_bad(x):\n"
                      "    return x"), "@tunable is applied more than once: keep one"),
    "a_class": ("@tunable(space={'x': Real(0, 1)})\nclass tune_bad:\n    def __init__(self, x):\n        pass",
                "@tunable decorates a function, got the class 'tune_bad'"),
    "async_def": ("@tunable(space={'x': Real(0, 1)})\nasync def tune_bad(x):\n    return x",
                  "@tunable cannot run an async function: use a plain def (it may call asyncio.run)"),
    "staticmethod": ("@tunable(space={'x': Real(0, 1)})\n@staticmethod\ndef tune_bad(x):\n    return x",
                     "@tunable decorates a plain function (def), got builtins.staticmethod: *"),
    "partial": (("def _objective(x, scale):\n    return x * scale\n\n"
                "tune_bad = tunable(space={'x': Real(0, 1)})(functools.partial(_objective, scale=2))"),
                "@tunable decorates a plain function (def), got functools.partial: define a function that calls it"),
}


@pytest.mark.parametrize("case", sorted(MISUSES))
def test_decorator_misuse_is_one_collection_error_naming_the_function(pytester: pytest.Pytester, case: str) -> None:
    code, message = MISUSES[case]
    pytester.makepyfile(exp_misuse="import functools\nfrom tunekit import tunable, Real\n\n" + code + """


@tunable(space={'x': Real(0, 1)}, trials=2)
def tune_good(x):
    return x
""")
    result = pytester.runpytest("exp_misuse.py", "--continue-on-collection-errors")
    result.stdout.fnmatch_lines([_escape(f"exp_misuse.py::tune_bad: {message}")])
    result.stdout.no_fnmatch_line("*Traceback*")
    result.assert_outcomes(passed=1, errors=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
