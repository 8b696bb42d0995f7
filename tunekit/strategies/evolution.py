"""A steady-state genetic algorithm for large mixed spaces (numpy only)."""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from tunekit.errors import SpecError
from tunekit.pareto import crowding_distance, non_dominated_sort
from tunekit.space import Space
from tunekit.strategies.base import Observation, Strategy
from tunekit.trial import TrialState

__all__ = ["EvolutionStrategy"]


def _param_key(params: dict[str, Any]) -> tuple[Any, ...]:
    return tuple((name, type(value).__name__, value) for name, value in params.items())


class EvolutionStrategy(Strategy):
    """Evolve parameter sets by tournament selection, crossover and mutation.

    The first ``population_size`` proposals are random draws. After that the population is the
    ``population_size`` best finished trials told so far (elitism: the best trial is never lost, and
    trials the strategy did not propose, such as warm-start points, take part like any other). Each new
    proposal is a child of two parents picked by tournaments of ``tournament_size``: uniform crossover
    (with probability ``crossover_rate``, else a copy of the first parent), then each gene mutates with
    probability ``1 / number of dimensions`` (at least one gene always does). Numbers mutate by a
    Gaussian step of ``mutation_scale`` times their range, in log space for log dimensions, reflected at
    the bounds, rounded for integers (which move at least to a neighbour); a categorical gene is
    replaced by another choice.

    With several objectives (observations carrying ``losses``), the population is chosen as NSGA-II does:
    feasible trials first, by non-dominated front and then by crowding distance within a front (the most
    isolated first), then trials that miss a limit, by how far they miss it. Each trial told joins and the
    last one in that order leaves, and tournaments prefer the earlier of that order; only complete trials
    with every objective take part. That population is smaller by default than with one objective:
    ``clip(dimensions, 8, 40)`` parents (no more than ``population_size``) rather than ``clip(2 *
    dimensions, 8, 40)``. All of a two-objective population soon lies on one front, where crowding spreads
    the parents along it and every extra parent dilutes the pull towards it; small populations are what
    evolutionary multi-objective search uses when evaluations are few (the micro-GA of Coello Coello and
    Toscano Pulido, 2001, breeds four parents). Measured on 2-objective problems in 3 to 12 dimensions,
    50 to 200 trials: a larger hypervolume in 6 and 12 dimensions, no change in 3 (see
    benchmarks/NOTES.md). The first generation (``population_size`` random draws) is the same either way:
    the strategy only learns that there are several objectives from the trials told.

    Proposal ``k`` depends only on a generator seeded with ``(seed, k)`` and the observations told
    before it, so a restored search continues exactly where it stopped. Failed trials never enter the
    population.

    Args:
        space: The validated search space.
        seed: Seed of every random choice.
        budget: Total number of trials, when known (caps the population at a quarter of it).
        population_size: Number of parents kept (default ``clip(2 * dimensions, 8, 40)``; with several
            objectives ``clip(dimensions, 8, 40)``, at most the former); also the size of the random first
            generation. Given explicitly, it applies to one objective and to several alike.
        tournament_size: Contestants per tournament.
        crossover_rate: Probability that a child mixes two parents.
        mutation_scale: Standard deviation of numeric mutations, as a fraction of the (log) range.
    """

    name = "evolution"

    def __init__(self, space: Space, *, seed: int = 0, budget: int | None = None,
                 population_size: int | None = None, tournament_size: int = 3,
                 crossover_rate: float = 0.9, mutation_scale: float = 0.15) -> None:
        super().__init__(space, seed=seed, budget=budget)
        default_size = population_size is None
        if population_size is None:
            population_size = min(max(2 * len(space), 8), 40)
            if budget is not None:
                population_size = max(4, min(population_size, budget // 4))
        if not isinstance(population_size, int) or population_size < 2:
            raise SpecError(f"population_size: expected an integer >= 2, got {population_size!r}")
        if not isinstance(tournament_size, int) or tournament_size < 1:
            raise SpecError(f"tournament_size: expected a positive integer, got {tournament_size!r}")
        if not (isinstance(crossover_rate, (int, float)) and 0.0 <= crossover_rate <= 1.0):
            raise SpecError(f"crossover_rate: expected a number in [0, 1], got {crossover_rate!r}")
        if not (isinstance(mutation_scale, (int, float)) and mutation_scale > 0):
            raise SpecError(f"mutation_scale: expected a positive number, got {mutation_scale!r}")
        self.population_size = population_size
        #: Parents kept when the trials told carry several objectives (see the class docstring).
        self.several_population_size = (min(population_size, max(len(space), 8), 40) if default_size
                                        else population_size)
        self.tournament_size = tournament_size
        self.crossover_rate = float(crossover_rate)
        self.mutation_scale = float(mutation_scale)
        self._told = 0
        self._ranked: list[tuple[float, int, Observation]] = []  # the parents, kept sorted
        self._seen: set[tuple[Any, ...]] = set()
        self._several: list[tuple[int, Observation]] = []  # with several objectives: the parents, NSGA-II order

    def tell(self, observations: Sequence[Observation]) -> None:
        """Record finished trials, whoever proposed them."""
        for obs in observations:
            self._told += 1
            if not self.space.contains(obs.params):
                continue  # e.g. a resumed trial of an older space
            self._seen.add(_param_key(obs.params))
            if obs.losses is not None and len(obs.losses) > 1:
                if obs.state is TrialState.COMPLETE and all(map(math.isfinite, obs.losses)):
                    self._several = _nsga_order([*self._several, (self._told, obs)])[:self.several_population_size]
                continue
            if obs.state is not TrialState.FAIL and obs.loss is not None and math.isfinite(obs.loss):
                # ties go to the earliest trial, so the order does not depend on the batch size
                bisect.insort(self._ranked, (float(obs.loss), self._told, obs), key=lambda r: r[:2])
                del self._ranked[self.population_size:]

    def restore(self, observations: Sequence[Observation]) -> None:
        """Continue after ``observations`` as if this strategy had proposed and been told them."""
        self._told = 0
        self._ranked = []
        self._seen = set()
        self._several = []
        super().restore(observations)

    @property
    def population(self) -> list[Observation]:
        """The current parents: the best finished trials, best first (ties: earliest first); with several
        objectives, in NSGA-II order (feasible, front, crowding distance, then the earliest)."""
        if self._several:
            return [obs for _, obs in self._several]
        return [obs for _, _, obs in self._ranked]

    def ask(self, n: int = 1) -> list[dict[str, Any]]:
        """Return ``n`` proposals: random draws for the first generation, children afterwards."""
        parents = self.population
        proposals = []
        for number in range(self.n_asked, self.n_asked + n):
            rng = np.random.default_rng([self.seed, number])
            if number < self.population_size or len(parents) < 2:
                child = self.space.sample(rng)
            else:
                child = self._child(parents, rng)
            proposals.append(child)
        self.n_asked += n
        return proposals

    def _tournament(self, parents: list[Observation], rng: np.random.Generator) -> Observation:
        # parents are sorted best first, so the smallest index drawn wins the tournament
        size = min(self.tournament_size, len(parents))
        return parents[int(np.min(rng.choice(len(parents), size=size, replace=False)))]

    def _child(self, parents: list[Observation], rng: np.random.Generator) -> dict[str, Any]:
        """A crossover of two tournament winners, mutated, then repaired for the space's conditions; retried
        when already evaluated or forbidden by a constraint (a fresh draw when every retry is forbidden)."""
        child: dict[str, Any] = {}
        for _ in range(10):
            first, second = self._tournament(parents, rng), self._tournament(parents, rng)
            mix = rng.random() < self.crossover_rate
            child = {}
            for name in self.space:  # a gene only one parent has (the other's branch lacks it) is that one's
                take_second = name in second.params and (name not in first.params or (mix and rng.random() < 0.5))
                if take_second or name in first.params:
                    child[name] = second.params[name] if take_second else first.params[name]
            child = self.mutate(child, rng)
            if not self.space.is_flat:
                child = self.space.complete(child, rng)  # drop genes now inactive, draw newly active ones
                if not self.space.allowed(child):
                    continue
            if _param_key(child) not in self._seen:
                return child
        return child if self.space.is_flat or self.space.allowed(child) else self.space.sample(rng)

    def mutate(self, params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
        """Return a mutated copy of ``params``: every value stays a legal value of its dimension.

        Each gene mutates with probability one over the number of genes, at least one of them does.
        """
        names = [name for name in self.space if name in params]
        rate = 1.0 / len(names)
        chosen = [name for name in names if rng.random() < rate]
        if not chosen:
            chosen = [names[int(rng.integers(len(names)))]]
        mutated = dict(params)
        for name in chosen:
            mutated[name] = self.space[name].neighbour(params[name], rng, self.mutation_scale)
        return mutated


def _nsga_order(entries: list[tuple[int, Observation]]) -> list[tuple[int, Observation]]:
    """``(told index, observation)`` pairs best first: feasible ones by non-dominated front, then by crowding
    distance within it (largest first), then the ones missing a limit by how far; ties go to the earliest."""
    feasible = [e for e in entries if e[1].violation <= 0]
    infeasible = sorted((e for e in entries if e[1].violation > 0), key=lambda e: (e[1].violation, e[0]))
    losses = [e[1].losses or () for e in feasible]
    ordered: list[tuple[int, Observation]] = []
    for front in non_dominated_sort(losses):
        distance = crowding_distance([losses[i] for i in front])
        ranked = sorted(range(len(front)), key=lambda k: (-distance[k], feasible[front[k]][0]))
        ordered += [feasible[front[k]] for k in ranked]
    return ordered + infeasible
