"""fvcore's ParamSchedulers as functions of `where` (training progress in [0, 1]), line for line.

A copy of ``fvcore/common/param_scheduler.py`` (fvcore 0.1.5.post20221221, from its PyPI release;
Apache-2.0, (c) Facebook, Inc. and its affiliates) in plain Python:
``param_scheduler(type_name, kwargs)`` returns ``where -> value``. fvcore's RuntimeErrors are
ValueErrors here (lrviz reports those as one line). ``--code torch`` prints this file whole, so
it imports nothing but ``bisect`` and ``math``.
"""

import bisect
import math

WHERE_EPSILON = 1e-6  # fvcore's ParamScheduler.WHERE_EPSILON


def _progress_error(where):
    return ValueError(f"where in ParamScheduler must be in [0, 1]: got {where}")


def constant(value):
    def at(where):
        if where >= 1.0:
            raise _progress_error(where)
        return value

    return at


def cosine(start_value, end_value):
    return lambda where: end_value + 0.5 * (start_value - end_value) * (1 + math.cos(math.pi * where))


def exponential(start_value, decay):
    return lambda where: start_value * (decay**where)


def linear(start_value, end_value):
    return lambda where: end_value * where + start_value * (1 - where)


def multi_step(values, num_updates=None, milestones=None):
    if num_updates is None and milestones is None:
        raise ValueError("num_updates and milestones cannot both be None")
    if milestones is None:
        milestones = []
        step_width = math.ceil(num_updates / float(len(values)))
        for idx in range(len(values) - 1):
            milestones.append(step_width * (idx + 1))
    elif len(milestones) != len(values) - int(num_updates is not None):
        raise ValueError(
            f"MultiStep scheduler requires a list of {len(values) - int(num_updates is not None)} miletones"
        )
    if num_updates is None:
        num_updates, milestones = milestones[-1], milestones[:-1]
    if num_updates < len(values):
        raise ValueError("Total num_updates must be greater than length of param schedule")
    start_epoch = 0
    for milestone in milestones:
        if milestone >= num_updates:
            raise ValueError(
                "Milestone must be smaller than total number of updates: "
                f"num_updates={num_updates}, milestone={milestone}"
            )
        if start_epoch >= milestone:
            raise ValueError(
                f"Milestone must be smaller than start epoch: start_epoch={start_epoch}, milestone={milestone}"
            )
        start_epoch = milestone

    def at(where):
        if where > 1.0:
            raise _progress_error(where)
        epoch_num = int((where + WHERE_EPSILON) * num_updates)
        return values[bisect.bisect_right(milestones, epoch_num)]

    return at


def polynomial_decay(base_value, power):
    return lambda where: base_value * (1 - where) ** power


def step(num_updates, values):
    if num_updates <= 0:
        raise ValueError("Number of updates must be larger than 0")
    if len(values) == 0:
        raise ValueError("Step scheduler requires a list of at least one param value")

    def at(where):
        ind = int((where + WHERE_EPSILON) * len(values))
        if ind >= len(values):  # fvcore indexes past its list (IndexError) once where reaches 1
            raise _progress_error(where)
        return values[ind]

    return at


def step_with_fixed_gamma(base_value, num_decays, gamma, num_updates):
    if not (base_value > 0 and gamma > 0):
        raise ValueError("base_value and gamma must be positive numbers")
    if not (num_decays > 0 and num_updates > 0):
        raise ValueError("num_decays and num_updates must be positive integers")
    values = [base_value]
    for _ in range(num_decays):
        values.append(values[-1] * gamma)
    return step(num_updates=num_updates, values=values)


def composite(schedulers, lengths, interval_scaling):
    if len(schedulers) != len(lengths):
        raise ValueError("Schedulers and lengths must be same length")
    if len(schedulers) == 0:
        raise ValueError("There must be at least one scheduler in the composite scheduler")
    lengths = list(lengths)
    if abs(sum(lengths) - 1.0) >= 1e-3:
        raise ValueError("The sum of all values in lengths must be 1")
    if sum(lengths) != 1.0:
        lengths[-1] = 1.0 - sum(lengths[:-1])
    for scaling in interval_scaling:
        if scaling not in ["rescaled", "fixed"]:
            raise ValueError(f"Unsupported interval_scaling: {scaling}")

    def at(where):
        i = 0
        running_total = lengths[i]
        while (where + WHERE_EPSILON) > running_total and i < len(schedulers) - 1:
            i += 1
            running_total += lengths[i]
        scheduler_where = where
        if interval_scaling[i] == "rescaled":
            scheduler_start = running_total - lengths[i]
            scheduler_where = (where - scheduler_start) / lengths[i]
        return schedulers[i](scheduler_where)

    return at


SCHEDULERS = {
    "ConstantParamScheduler": constant,
    "CosineParamScheduler": cosine,
    "ExponentialParamScheduler": exponential,
    "LinearParamScheduler": linear,
    "MultiStepParamScheduler": multi_step,
    "PolynomialDecayParamScheduler": polynomial_decay,
    "StepParamScheduler": step,
    "StepWithFixedGammaParamScheduler": step_with_fixed_gamma,
    "CompositeParamScheduler": composite,
}


def param_scheduler(type_name, kwargs):
    """`where -> value` of fvcore's `type_name` built with `kwargs` (a Composite's `schedulers`
    are mappings with a `type`, built the same way)."""
    kwargs = dict(kwargs)
    if type_name == "CompositeParamScheduler":
        children = [dict(child) for child in kwargs["schedulers"]]
        kwargs["schedulers"] = [param_scheduler(child.pop("type"), child) for child in children]
    return SCHEDULERS[type_name](**kwargs)
