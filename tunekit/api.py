"""The ``@tunable`` decorator and the validated record (:class:`TunableSpec`) it attaches to a function."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from tunekit import validation
from tunekit.errors import SpaceError, SpecError, TunekitError
from tunekit.space import Dimension, Space, constraint_name

__all__ = ["DEFAULT_TRIALS", "DIRECTIONS", "TRIAL_ARGUMENT", "TunableSpec", "check_objectives", "check_tolerance",
           "get_spec", "tunable"]

F = TypeVar("F", bound=Callable[..., Any])

DIRECTIONS = validation.DIRECTIONS
#: Name of the optional objective argument that receives the :class:`tunekit.Trial` handle.
TRIAL_ARGUMENT = "trial"
#: Trial budget of a non-grid search whose decorator names none.
DEFAULT_TRIALS = 20
_ATTRIBUTE = "__tunekit__"
ACCEPTED_ARGUMENTS = ("space", "strategy", "trials", "direction", "seed", "workers", "trial_timeout",
                      "tolerance", "pruner", "timeout", "patience", "target", "start", "constraints",
                      "hints", "objectives", "limits")
#: Random parameter sets on which constraints are tried when the experiment is declared (besides a small grid).
_PROBES = 1000
#: A grid at most this large is tried whole when the experiment is declared: nothing allowed is then exact.
_PROBED_GRID = 20_000


@dataclass(frozen=True)
class TunableSpec:
    """Everything ``@tunable`` declared about an experiment, checked when the decorator ran.

    ``error`` holds the first problem found (and the other fields may then be partial): the collector
    reports it as a one-line collection error for this experiment alone.
    """

    space: Space | None
    strategy: str | None = None
    trials: int | None = None
    direction: str = "maximize"
    seed: int | None = None
    takes_trial: bool = False
    fixture_names: tuple[str, ...] = ()
    error: str | None = None
    workers: int | str | None = None
    trial_timeout: float | None = None
    tolerance: str | None = None
    pruner: Any = None
    timeout: float | None = None
    patience: int | None = None
    target: float | None = None
    #: Known configurations evaluated as the first trials (warm start), in space order with plain values.
    start: tuple[dict[str, Any], ...] = field(default=(), hash=False)
    #: ``"history"`` for ``start="history"``: the search starts from the run store's best configurations.
    start_from: str | None = None
    #: The kinds of hint silenced by ``hints=`` (``("*",)``: all).
    quiet_hints: tuple[str, ...] = ()
    #: Objective name -> direction when the experiment declares several (``objectives=``), in declared order;
    #: empty for a single score. ``direction`` is then the first objective's.
    objectives: dict[str, str] = field(default_factory=dict, hash=False)
    #: Objective name -> the value a feasible trial must reach (at most it when minimised, at least when maximised).
    limits: dict[str, float] = field(default_factory=dict, hash=False)
    #: Objective name -> tolerance of the objectives after the first that a baseline guards (``tolerance=`` as a
    #: dict); the first objective's is ``tolerance``.
    objective_tolerances: dict[str, str] = field(default_factory=dict, hash=False)


def _start_value(dim: Dimension, value: Any) -> Any:
    """``value`` as the plain Python type the dimension proposes (numpy scalars and ``1`` for a real become
    ``float``), so that start points compare equal to grid points and serialise as JSON."""
    return dim.cast(value)


def check_start(value: Any, space: Space, trials: int | None) -> tuple[dict[str, Any], ...]:
    """Validate ``start=`` and return its points in space order; raise :class:`SpecError` naming the point.

    Every point names every parameter of the space with a legal value of its dimension: a partial point
    would need the strategy to fill in the rest, which not every strategy can do without proposing first.
    Points must be distinct and, when ``trials`` is known, fit in it, since they are trials of the budget.
    """
    if value is None:
        return ()
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (list, tuple)):
        raise SpecError(f"start: expected a list of dicts of parameter values (or 'history'), got "
                        f"{type(value).__name__} {value!r:.60}")
    points: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], int] = {}  # type-exact, so that 1 and True stay different choices
    for i, point in enumerate(value):
        if not isinstance(point, Mapping):
            raise SpecError(f"start[{i}]: expected a dict of parameter values, got {type(point).__name__} "
                            f"{point!r:.60}")
        unknown = [name for name in point if name not in space]
        if unknown:
            raise SpecError(f"start[{i}]: {unknown[0]!r} is not a parameter of the space "
                            f"(parameters: {', '.join(space)})")
        missing = [name for name in space.active_names(point) if name not in point]
        if missing:
            raise SpecError(f"start[{i}]: missing parameter {missing[0]!r} "
                            "(a start point gives a value for every active parameter of the space)")
        for name in point:
            if not space.is_active(name, point):
                raise SpecError(f"start[{i}][{name!r}]: inactive in this point ({space[name].condition_text}): "
                                "leave it out")
            if not space[name].contains(point[name]):
                raise SpecError(f"start[{i}][{name!r}]: expected a value of {space[name]!r}, got {point[name]!r}")
        normalised = {name: _start_value(dim, point[name]) for name, dim in space.items() if name in point}
        try:
            allowed = space.allowed(normalised)
        except Exception as exc:  # noqa: BLE001 - the user's constraint: any error is a collection error
            raise SpecError(f"start[{i}]: a constraint raised {type(exc).__name__}: {exc}") from None
        if not allowed:
            raise SpecError(f"start[{i}]: forbidden by the constraints")
        key = tuple((type(v), v) for v in normalised.values())
        if key in seen:
            raise SpecError(f"start[{i}]: the same parameters as start[{seen[key]}]")
        seen[key] = i
        points.append(normalised)
    if trials is not None and len(points) > trials:
        raise SpecError(too_many_start_points(len(points), trials))
    return tuple(points)


def too_many_start_points(count: int, budget: int) -> str:
    """The message for start points that do not fit the trial budget (at decoration time and at run time)."""
    return (f"start: {count} start points do not fit in a budget of {budget} trials "
            "(start points are trials of the budget)")


def _signature_names(fn: Callable[..., Any], space: Space) -> tuple[bool, tuple[str, ...]]:
    """Check the function's parameters against the space; return (takes_trial, fixture names)."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError) as exc:
        raise SpecError(f"cannot read the function's signature: {exc}") from None
    kinds = {p.kind for p in params.values()}
    if inspect.Parameter.POSITIONAL_ONLY in kinds or inspect.Parameter.VAR_POSITIONAL in kinds:
        raise SpecError("parameters must be passable by name (no positional-only or *args parameters)")
    if inspect.Parameter.VAR_KEYWORD not in kinds:
        for name in space:
            if name not in params:
                raise SpecError(f"space[{name!r}]: the function has no parameter {name!r} "
                                f"(parameters: {', '.join(params) or 'none'})")
    if TRIAL_ARGUMENT in space:
        raise SpecError(f"space[{TRIAL_ARGUMENT!r}]: {TRIAL_ARGUMENT!r} is reserved for the trial handle")
    for name, dim in space.items():
        if dim.conditions and name in params and params[name].default is inspect.Parameter.empty:
            raise SpecError(f"space[{name!r}]: it is active only {dim.condition_text}, so the function gets no "
                            f"value when it is not: give the parameter a default ({name}=...)")
    fixtures = tuple(
        name for name, p in params.items()
        if name not in space and name != TRIAL_ARGUMENT
        and p.kind is not inspect.Parameter.VAR_KEYWORD and p.default is inspect.Parameter.empty
    )
    return TRIAL_ARGUMENT in params, fixtures


def _with_constraints(space: Space, constraints: Any) -> Space:
    """``space`` with ``constraints`` added, each checked on a grid and random parameter sets: a constraint
    that raises or returns something else than a bool, or that allows nothing, is a SpecError naming it."""
    if constraints is None:
        return space
    if isinstance(constraints, (str, bytes)) or not isinstance(constraints, (list, tuple)):
        constraints = [constraints]
    for i, constraint in enumerate(constraints):
        if not callable(constraint):
            raise SpecError(f"constraints[{i}]: expected a function of the parameters dict returning True or "
                            f"False, got {type(constraint).__name__} {constraint!r:.60}")
    space = Space(dict(space), [*space.constraints, *constraints])
    rng = np.random.default_rng(0)
    unconstrained = Space(dict(space))
    probes = list(unconstrained.grid()) if unconstrained.grid_product <= _PROBED_GRID else []
    probes += [space.complete({}, rng) for _ in range(_PROBES)]
    allowed = 0
    for point in probes:
        verdicts = []
        for i, constraint in enumerate(space.constraints):
            where = f"constraints[{i}] ({constraint_name(constraint)})"
            try:
                verdict = constraint(dict(point))
            except Exception as exc:  # noqa: BLE001 - the user's code: any error is a collection error
                raise SpecError(f"{where} raised {type(exc).__name__}: {exc} for {point}") from None
            if not isinstance(verdict, (bool, np.bool_)):
                raise SpecError(f"{where} returned {verdict!r} for {point}: expected True or False")
            verdicts.append(bool(verdict))
        allowed += all(verdicts)
    if not allowed:
        raise SpecError(f"constraints: nothing is allowed (none of {len(probes)} parameter sets tried: the grid "
                        "and random draws)")
    return space


def check_objectives(objectives: Any, limits: Any, direction: Any) -> tuple[dict[str, str], dict[str, float]]:
    """Validate ``objectives=`` and ``limits=``; return them as plain dicts or raise :class:`SpecError`."""
    if objectives is None:
        if limits is not None:
            raise SpecError("limits: need objectives={name: 'maximize' | 'minimize', ...} to name what they limit")
        return {}, {}
    if direction is not None:
        raise SpecError("direction: not with objectives=, which gives each objective its own direction "
                        "(the first one is the score)")
    if not isinstance(objectives, Mapping):
        raise SpecError(f"objectives: expected a dict of name -> 'maximize' or 'minimize', got "
                        f"{type(objectives).__name__} {objectives!r:.60}")
    if not objectives:
        raise SpecError("objectives: empty: name at least one, e.g. objectives={'accuracy': 'maximize'}")
    declared: dict[str, str] = {}
    for name, way in objectives.items():
        if not isinstance(name, str) or not name:
            raise SpecError(f"objectives: names must be non-empty strings, got {name!r}")
        if name == "hypervolume":
            raise SpecError("objectives['hypervolume']: the name is reserved for the Pareto front's hypervolume "
                            "(tolerance={'hypervolume': ...} guards it); rename the objective")
        if way not in DIRECTIONS:
            raise SpecError(f"objectives[{name!r}]: unknown direction {way!r} (accepted: {', '.join(DIRECTIONS)})")
        declared[name] = way
    if limits is None:
        return declared, {}
    if not isinstance(limits, Mapping):
        raise SpecError(f"limits: expected a dict of objective name -> number, got {type(limits).__name__} "
                        f"{limits!r:.60}")
    bounds: dict[str, float] = {}
    for name, limit in limits.items():
        if name not in declared:
            raise SpecError(f"limits[{name!r}]: not an objective (objectives: {', '.join(declared)})")
        value = validation.finite_number(f"limits[{name!r}]", limit)
        if value is None:
            raise SpecError(f"limits[{name!r}]: expected a finite number, got None")
        bounds[name] = value
    return declared, bounds


def check_tolerance(tolerance: Any, objectives: Mapping[str, str]) -> tuple[str | None, dict[str, str]]:
    """Validate ``tolerance=``: the score's (a number or ``"2%"``), or with ``objectives`` a dict of objective
    name -> tolerance. Return the first objective's (or the score's) and those of the other objectives."""
    from tunekit.compare import Tolerance

    if tolerance is None:
        return None, {}
    if not isinstance(tolerance, Mapping):
        return str(Tolerance.parse(tolerance)), {}
    if not objectives:
        raise SpecError("tolerance: a dict of tolerances per objective needs objectives={...}")
    parsed: dict[str, str] = {}
    for name, value in tolerance.items():
        if name not in objectives and not (name == "hypervolume" and 2 <= len(objectives) <= 3):
            raise SpecError(f"tolerance[{name!r}]: not an objective (objectives: {', '.join(objectives)}); "
                            "'hypervolume' guards the Pareto front's hypervolume (two or three objectives)")
        try:
            parsed[name] = str(Tolerance.parse(value))
        except SpecError as exc:
            raise SpecError(f"tolerance[{name!r}]{str(exc).removeprefix('tolerance')}") from None
    first = next(iter(objectives))
    return parsed.pop(first, None), parsed


def _check_target(fn: Any) -> None:
    """Raise :class:`SpecError` unless ``fn`` is a plain function that ``@tunable`` can run as an experiment."""
    if get_spec(fn) is not None:
        raise SpecError("@tunable is applied more than once: keep one")
    if inspect.isclass(fn):
        raise SpecError(f"@tunable decorates a function, got the class {fn.__name__!r}")
    if isinstance(fn, (staticmethod, classmethod, functools.partial)):
        raise SpecError(f"@tunable decorates a plain function (def), got {type(fn).__module__}.{type(fn).__name__}: "
                        "define a function that calls it")
    if inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn):
        raise SpecError("@tunable cannot run an async function: use a plain def (it may call asyncio.run)")


def build_spec(fn: Callable[..., Any], *, space: Any, strategy: Any = None, trials: Any = None,
               direction: Any = None, seed: Any = None, workers: Any = None, trial_timeout: Any = None,
               tolerance: Any = None, pruner: Any = None, timeout: Any = None, patience: Any = None,
               target: Any = None, start: Any = None, constraints: Any = None, hints: Any = True,
               objectives: Any = None, limits: Any = None, **options: Any) -> TunableSpec:
    """Validate the decorator's arguments against ``fn``; raise :class:`TunekitError` on the first problem."""
    _check_target(fn)
    if space is None:
        raise SpecError("space: @tunable needs space={name: Real(...) | Integer(...) | Categorical(...)}")
    if isinstance(space, Mapping):
        for name, dim in space.items():
            if isinstance(dim, Dimension) and dim.problem() is not None:
                raise SpaceError(f"space[{name!r}]: {dim!r}: {dim.problem()}")
    the_space = space if isinstance(space, Space) else Space(space)
    takes_trial, fixtures = _signature_names(fn, the_space)  # conditional parameters need defaults first
    the_space = _with_constraints(the_space, constraints)
    strategy = validation.strategy_name("strategy", strategy)
    trials = validation.count("trials", trials)
    declared, bounds = check_objectives(objectives, limits, direction)
    direction = next(iter(declared.values())) if declared else validation.direction(
        "maximize" if direction is None else direction)
    tolerance, objective_tolerances = check_tolerance(tolerance, declared)
    seed = validation.seed("seed", seed)
    workers = validation.workers("workers", workers)
    trial_timeout = validation.seconds("trial_timeout", trial_timeout)
    if pruner is not None:
        from tunekit.pruners import as_pruner

        pruner = as_pruner(pruner)
    timeout = validation.seconds("timeout", timeout)
    patience = validation.count("patience", patience)
    target = validation.finite_number("target", target)
    quiet = validation.quiet_hints(hints)
    start_from = "history" if start == "history" else None
    start_points = () if start_from else check_start(start, the_space, trials)
    if options:
        raise SpecError(f"unknown argument {min(options)!r} (accepted: {', '.join(ACCEPTED_ARGUMENTS)})")
    return TunableSpec(space=the_space, strategy=strategy, trials=trials, direction=direction, seed=seed,
                       takes_trial=takes_trial, fixture_names=fixtures, workers=workers,
                       trial_timeout=trial_timeout, tolerance=tolerance, pruner=pruner, timeout=timeout,
                       patience=patience, target=target, start=start_points,
                       start_from=start_from, quiet_hints=quiet, objectives=declared, limits=bounds,
                       objective_tolerances=objective_tolerances)


def tunable(fn: F | None = None, /, *, space: Mapping[str, Dimension] | None = None,
            strategy: str | None = None, trials: int | None = None, direction: str | None = None,
            seed: int | None = None, workers: int | str | None = None, trial_timeout: float | None = None,
            tolerance: float | str | Mapping[str, float | str] | None = None, pruner: Any = None,
            timeout: float | None = None,
            patience: int | None = None, target: float | None = None,
            start: Sequence[Mapping[str, Any]] | str | None = None,
            constraints: Sequence[Callable[[dict[str, Any]], bool]] | None = None,
            hints: bool | Mapping[str, bool] = True, objectives: Mapping[str, str] | None = None,
            limits: Mapping[str, float] | None = None, **options: Any) -> Any:
    """Declare a function as an experiment: tunekit searches ``space`` for the parameters that optimise it.

    The function is returned unchanged with a :class:`TunableSpec` attached, so it can still be called
    (and pickled) as usual. Problems are recorded, not raised, so that one bad experiment is reported as a
    collection error without hiding the other experiments of its module.

    Args:
        space: Parameter name -> :class:`~tunekit.Real`, :class:`~tunekit.Integer` or
            :class:`~tunekit.Categorical`. Every name must be a parameter of the function; its other
            parameters are pytest fixtures, plus an optional ``trial`` handle.
        strategy: Search strategy name (``grid``, ``random``, ...); by default grid search for small
            fully discrete spaces and random search otherwise.
        trials: Trial budget; by default the whole grid for grid search, else 20.
        direction: ``"maximize"`` (the default) or ``"minimize"`` the returned score.
        seed: Seed of the search; the same seed gives the same trials. Defaults to 0.
        workers: Trials evaluated at once in worker processes (``"auto"``: the usable cores); default 1.
        trial_timeout: Seconds after which a running trial is stopped and recorded as failed.
        tolerance: How much worse than its baseline the score may get before the experiment counts as
            regressed: absolute (``0.01``) or relative (``"2%"``); the command line's ``--tolerance``
            applies to experiments that set none. With ``objectives``, a dict of objective name -> tolerance:
            the baseline then guards each objective named, on the selected trial (the first objective always).
        pruner: Early stopping of unpromising trials from their ``trial.report()`` values (or generator
            yields): ``"median"``, ``"asha"``, ``"hyperband"``, ``"patience"``, a spec such as
            ``"asha:min_resource=1,reduction_factor=3"``, or a :class:`tunekit.pruners.Pruner`.
        timeout: Wall-time limit of the whole search, in seconds.
        patience: Stop the search after this many trials without a better score.
        target: Stop the search once a trial's score reaches this value.
        start: Known configurations to evaluate first (warm start), each a dict giving a value for every
            parameter of the space. They are trials ``0..k-1`` of the budget, and the strategy learns from
            them before its first proposal. ``"history"``: the best configurations the run store holds for
            this experiment and space, as ``--warm-start history`` (up to half the budget).
        constraints: Functions of a trial's active parameters (a dict) that return whether the combination is
            allowed; no strategy sends a forbidden one to the objective. A dimension's ``.when(parent=value)``
            makes it conditional: the function then receives it only where it is active.
        hints: ``False`` silences this experiment's hints under the leaderboard and in the report;
            ``{"fold_noise": False, "bounds": False}`` silences those kinds (failures, limits, bounds, convergence,
            fit, fold_noise).
        objectives: Several objectives instead of one score: name -> ``"maximize"`` or ``"minimize"``. The
            function then returns a dict with a number (or fold scores) under each name, its other keys
            being metrics. Results record every objective, the Pareto front and a selected trial (the best
            first objective among feasible trials); the first objective is the score that strategies
            without multi-objective support, pruners and baselines use. Not together with ``direction``.
        limits: Objective name -> the value a feasible trial reaches: at most it for a minimised objective,
            at least it for a maximised one (``{"fit_seconds": 2.0}``).
    """

    def decorate(func: F) -> F:
        try:
            spec = build_spec(func, space=space, strategy=strategy, trials=trials, direction=direction,
                              seed=seed, workers=workers, trial_timeout=trial_timeout, tolerance=tolerance,
                              pruner=pruner, timeout=timeout, patience=patience, target=target, start=start,
                              constraints=constraints, hints=hints, objectives=objectives, limits=limits,
                              **options)
        except TunekitError as exc:
            spec = TunableSpec(space=None, strategy=strategy, direction=str(direction or "maximize"), error=str(exc))
        setattr(func, _ATTRIBUTE, spec)
        return func

    if fn is not None:
        if not callable(fn):
            raise TypeError("@tunable takes keyword arguments only: @tunable(space={...}, ...)")
        return decorate(fn)
    return decorate


def get_spec(obj: Any) -> TunableSpec | None:
    """Return the spec ``@tunable`` attached to ``obj``, or ``None`` when it is not an experiment."""
    spec = getattr(obj, _ATTRIBUTE, None) if callable(obj) else None
    return spec if isinstance(spec, TunableSpec) else None
