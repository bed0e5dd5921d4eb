"""Wrong heavy-ball momentum steps for ``check_momentum_step``, in the styles of course code, blogs and libraries.

The contract is torch.optim.SGD's buffer: ``momentum_step(theta, g, velocity, lr=0.01, momentum=0.9) ->
(theta, velocity)`` with ``velocity = momentum * velocity + g`` and ``theta - lr * velocity``. Every
function below breaks it, by a mistake or by following another library's convention.
"""

from __future__ import annotations

import numpy as np

from . import wrong

MU = 0.9  # a module-level constant, as in code that fixed the momentum once and for all


# ----------------------------------------------------------------------------------------- conventions


@wrong(
    "momentum",
    conventions=("momentum_dampened",),
    source="deeplearning.ai notebook: velocity as an exponentially weighted average of the gradients",
)
def momentum_step_ewa(theta, g, velocity, lr=0.01, momentum=0.9):
    # v = beta * v + (1 - beta) * dW, then W = W - alpha * v
    v = momentum * velocity + (1 - momentum) * g
    return theta - lr * v, v


@wrong(
    "momentum",
    conventions=("momentum_sutskever",),
    source="CS231n optim.py sgd_momentum submission (v = mu * v - learning_rate * dw; w += v)",
)
def momentum_step_sutskever(theta, g, velocity, lr=0.01, momentum=0.9):
    v = momentum * velocity - lr * g
    next_w = theta + v
    return next_w, v


@wrong(
    "momentum",
    conventions=("momentum_lr_in_velocity",),
    source="blog post 'momentum from scratch' that puts the learning rate inside the velocity",
)
def momentum_step_lr_in_velocity(theta, g, velocity, lr=0.01, momentum=0.9):
    vel = momentum * velocity + lr * g
    return theta - vel, vel


@wrong(
    "momentum",
    conventions=("momentum_nesterov_torch",),
    source="numpy port of torch.optim.SGD(nesterov=True)",
)
def momentum_step_nesterov_torch(theta, g, velocity, lr=0.01, momentum=0.9):
    buf = momentum * velocity + g
    d_p = g + momentum * buf  # nesterov: look one buffer ahead
    return theta - lr * d_p, buf


# ----------------------------------------------------------------------------------------- one mistake each


@wrong("momentum", "nesterov_wrong", source="student notes on Nesterov that put momentum on the gradient")
def momentum_step_nesterov_mixed_up(theta, g, velocity, lr=0.01, momentum=0.9):
    velocity = momentum * velocity + g
    # "Nesterov": add the look-ahead term
    theta = theta - lr * (velocity + momentum * g)
    return theta, velocity


@wrong("momentum", "momentum_old_velocity", source="course submission that steps before updating the velocity")
def momentum_step_old_velocity(theta, g, velocity, lr=0.01, momentum=0.9):
    new_theta = theta - lr * velocity
    new_velocity = momentum * velocity + g
    return new_theta, new_velocity


@wrong("momentum", "momentum_lr_twice", source="blog post mixing the lr-in-velocity form with torch's step")
def momentum_step_lr_twice(theta, g, velocity, lr=0.01, momentum=0.9):
    velocity = momentum * velocity + lr * g
    return theta - lr * velocity, velocity


@wrong("momentum", "ignores_momentum", source="dlcourse.ai MomentumSGD whose __init__ sets self.momentum = 0.9")
def momentum_step_fixed_mu(theta, g, velocity, lr=0.01, momentum=0.9):
    v = MU * velocity + g
    return theta - lr * v, v


@wrong("momentum", "uphill", source="gradient-ascent momentum reused from a policy-gradient notebook")
def momentum_step_uphill(theta, g, velocity, lr=0.01, momentum=0.9):
    velocity = momentum * velocity + g
    return theta + lr * velocity, velocity


@wrong("momentum", "momentum_plain_gd", source="course submission that updates the velocity but steps with g")
def momentum_step_plain_gd(theta, g, velocity, lr=0.01, momentum=0.9):
    vel = velocity.copy()
    vel *= momentum
    vel += g
    w = theta.copy()
    w -= lr * g  # TODO use vel here?
    return w, vel


@wrong("momentum", "ignores_lr", source="small numpy library whose update hard-codes the learning rate")
def momentum_step_fixed_lr(theta, g, velocity, lr=0.01, momentum=0.9):
    velocity = momentum * velocity + g
    return theta - 0.01 * velocity, velocity


# ----------------------------------------------------------------------------------------- combinations


@wrong(
    "momentum",
    "uphill",
    conventions=("momentum_dampened",),
    source="deeplearning.ai-style weighted average of the gradients in a gradient-ascent notebook",
)
def momentum_step_ewa_uphill(theta, g, velocity, lr=0.01, momentum=0.9):
    v_dw = momentum * velocity + (1 - momentum) * g
    return theta + lr * v_dw, v_dw


@wrong(
    "momentum",
    "momentum_old_velocity",
    conventions=("momentum_sutskever",),
    source="Keras-style velocity update written after the parameter update",
)
def momentum_step_sutskever_old_velocity(theta, g, velocity, lr=0.01, momentum=0.9):
    w = theta + velocity  # move first...
    v = momentum * velocity - lr * g  # ...then update the velocity
    return w, v


@wrong(
    "momentum",
    "ignores_momentum",
    conventions=("momentum_sutskever",),
    source="dlcourse.ai MomentumSGD: self.momentum = 0.9 in __init__, velocity = momentum * velocity - lr * d_w",
)
def momentum_step_sutskever_fixed_mu(theta, g, velocity, lr=0.01, momentum=0.9):
    mom = 0.9
    velocity = mom * velocity - lr * g
    return theta + velocity, velocity


@wrong(
    "momentum",
    "nesterov_wrong",
    conventions=("momentum_sutskever",),
    source="CS231n nesterov_momentum submission with a sign slip on v_prev",
)
def momentum_step_sutskever_nesterov_sign(theta, g, velocity, lr=0.01, momentum=0.9):
    v_prev = np.array(velocity, copy=True)
    v = momentum * velocity - lr * g
    x = theta + momentum * v_prev + (1 + momentum) * v  # the -mu * v_prev became +
    return x, v
