"""What a hint must say to name each mistake or convention: one regular expression per id (case-insensitive).

A pattern asks for a statement of the specific mistake, not for a formula that a generic checklist
would also print: "without bias correction" names the missing correction, "(1 - beta1**t)" alone does not.
A convention is named when the hint matches its pattern and its library (case-sensitive) and uses the
word "convention".
"""

from __future__ import annotations

MISTAKES = {
    # ----------------------------------------------------------------- bias correction (Adam family)
    "no_bias_correction": r"without (any |the )?bias correction|not bias-corrected|no bias correction",
    "m_not_corrected": r"only v is bias-corrected|\bm is not bias-corrected|m_hat is not corrected|"
    r"m (is )?(left )?uncorrected",
    "v_not_corrected": r"only m is bias-corrected|\bv(_max)? is not bias-corrected|v(_max)? (is )?(left )?uncorrected|"
    r"square root of v_hat = v / \(1 - beta2\*\*t\), not of v",
    "t_from_zero": r"t - 1 in place of t|t counted from 0|counts? (t )?from 0|t starts at 0",
    "t_plus_one": r"t \+ 1 in place of t",
    "t_fixed": r"t fixed at 1|ignores t\b|does not use t\b|same t\b|t is never",
    "beta_squared": r"beta\w*\*\*2\b[^.]*beta\w*\*\*t|\*\*2 (in place of|instead of|for) \*\*t",
    "v_corrected_with_beta1": r"\bv(_hat)? is (bias-)?corrected with beta1|corrects? v with beta1|"
    r"1 - beta1\*\*t (in place of|instead of) 1 - beta2\*\*t",
    "m_corrected_with_beta2": r"\bm(_hat)? is (bias-)?corrected with beta2|corrects? m with beta2|"
    r"1 - beta2\*\*t (in place of|instead of) 1 - beta1\*\*t",
    "fed_back": r"bias-corrected m_hat and v_hat as the new state|corrected (moments?|m_hat|v_hat) (are |is )?fed back|"
    r"return(s|ed)? the (bias-)?corrected",
    "correction_not_sqrt": r"(missing|forg[eo]ts?|without) the square root (on|of|over) "
    r"(the )?(\(?1 - beta2\*\*t|bias correction|correction)|"
    r"\(?1 - beta2\*\*t\)? (in place of|instead of) (np\.|math\.)?sqrt\(1 - beta2\*\*t\)",
    # ----------------------------------------------------------------- eps
    "eps_inside_sqrt": r"inside the square root|eps belongs outside|under the square root",
    "eps_on_theta": r"eps is (added to|subtracted from) the parameters",
    "eps_hat_constant": r"efficient form[^.]*constant eps|constant eps(_hat)?[^.]*efficient form",
    "eps_squared": r"eps\*\*2|squares? eps",
    # ----------------------------------------------------------------- moments
    "betas_swapped": r"beta1 and beta2 are swapped|swap(ped)? beta1 and beta2",
    "abs_for_square": r"not \|g\||\|g\| (for|in place of|instead of) g\*\*2|abs\(g\) (for|in place of|instead of)",
    "g_not_squared": r"g\*\*2, not g\b|square(d)? the gradient|forgot (to square|the square)|not squared",
    "no_one_minus_beta1": r"without the (factor|weight) \(1 - beta1\)|(weighted|multiplied) by \(1 - beta1\)|"
    r"missing (the )?(factor )?\(1 - beta1\)",
    "no_one_minus_beta2": r"without the (factor|weight) \(1 - beta2\)|must be weighted by \(1 - beta2\)|"
    r"missing (the )?(factor )?\(1 - beta2\)",
    "weights_swapped": r"weights are swapped|weights? (beta\w* and \(1 - beta\w*\) )?(are )?swapped",
    "no_sqrt": r"square root of v[^.]*not by v|not by v(_hat)? itself|without (the|a) square root|"
    r"forgot the square root|no square root",
    "gradient_in_numerator": r"numerator|step uses (the raw )?g\b|m_hat, not g\b|g in place of m_hat",
    "old_state_in_step": r"step uses the old (v|velocity|m|state)|with the old (v|velocity)",
    # ----------------------------------------------------------------- the step
    "uphill": r"uphill|sign of the step is flipped|wrong sign",
    "unchanged": r"(returns?|left|leaves) theta unchanged|theta (is |was )?not updated|"
    r"does not (update|change|move) theta",
    "partial_update": r"some elements of \w+ were not updated|not updated at all|only (the )?first (row|element)",
    "lr_over_sqrt_t": r"(lr|alpha) ?/ ?(np\.|math\.)?sqrt\(t\)",
    # ----------------------------------------------------------------- arguments, types, shapes
    "ignores_lr": r"ignores (its |the )?`?lr`?( argument)?",
    "ignores_eps": r"ignores (its |the )?`?eps`?( argument)?",
    "ignores_beta1": r"ignores (its |the )?`?beta1`?( argument)?",
    "ignores_beta2": r"ignores (its |the )?`?beta2`?( argument)?",
    "ignores_momentum": r"ignores (its |the )?`?momentum`?( argument)?",
    "ignores_weight_decay": r"ignores (its |the )?`?weight_decay`?( argument)?",
    "default_eps": r"default (for |of |value of )?`?eps`?",
    "default_lr": r"default (for |of |value of )?`?lr`?",
    "default_beta2": r"default (for |of |value of )?`?beta2`?",
    "np_max_two_args": r"np\.max\(a, b\)[^.]*axis|np\.max[^.]*second argument[^.]*axis",
    "python_max": r"np\.maximum",
    "mutates_input": r"changed its input \w+ in place",
    "float64_upcast": r"float32 in, float32 out",
    "state_order": r"(wrong|in the) order|order of the (outputs|returned)",
    # ----------------------------------------------------------------- momentum
    "momentum_old_velocity": r"step uses the old velocity",
    "momentum_plain_gd": r"plain gradient descent",
    "momentum_lr_swapped": r"lr and momentum are swapped",
    "momentum_lr_twice": r"lr (is )?(applied |used )?twice|lr both in the velocity and in the step",
    "nesterov_wrong": r"(not|neither)[^.]*Nesterov|Nesterov[^.]*(wrong|mistake|not the)",
    # ----------------------------------------------------------------- RMSProp
    "adagrad": r"AdaGrad",
    # ----------------------------------------------------------------- AdaMax
    "u_corrected": r"u needs no bias correction|do not correct u|u is not corrected|u_hat",
    "u_no_decay": r"u must decay|never forgotten",
    "u_decay_after_max": r"beta2 multiplies only the old u",
    "u_signed": r"take \|g\| \(np\.abs\(g\)\), not g|compares sizes|\|g\|, not g\b",
    "u_weighted": r"maximum, not an average|without the factor \(1 - beta2\)",
    "u_l2_norm": r"L2 norm|root mean square",
    "u_sum": r"maximum, not a sum|adds? \|g\| to u|sum of",
    # ----------------------------------------------------------------- AMSGrad
    "amsgrad_plain_adam": r"plain Adam|divides by the current v\b",
    "amsgrad_v_from_max": r"v is computed from v_max|continues from the previous v",
    "amsgrad_max_g2": r"not the largest g\*\*2",
    "amsgrad_minimum": r"not the minimum",
    "amsgrad_old_max_returned": r"return the new v_max|not the old one",
    "amsgrad_max_before_v": r"v_max is updated with the old v",
    # ----------------------------------------------------------------- weight decay (ex11)
    "l2_is_adamw": r"your update is AdamW's decoupled decay",
    "adamw_is_l2": r"your update is Adam \+ L2",
    "l2_sign": r"opposite sign of the L2 term",
    "l2_half": r"half what it should be",
    "l2_times_lr": r"L2 term is multiplied by lr",
    "l2_m_only": r"enters m but not v",
    "decay_lr_squared": r"multiplied by lr twice",
    "decay_sign": r"decay has the wrong sign",
    "decay_after_step": r"decay is applied after the Adam step",
    "decay_in_direction": r"divided by \(sqrt\(v_hat\) \+ eps\) together with m_hat",
    "decay_on_moments": r"decay the moments",
    "decay_twice": r"decay twice",
    "decay_skipped_t1": r"skipped on the first update",
}

# id: (what the hint must describe, the library or paper it must name). The hint must also say "convention".
CONVENTIONS = {
    "eps_inside_sqrt_tf": (r"inside the square root|under the square root", r"TensorFlow|Keras|optax"),
    "eps_hat_keras": (r"efficient form|constant eps", r"Keras|TensorFlow"),
    "amsgrad_max_of_v_hat_optax": (r"maximum over the bias-corrected|max(imum)? (over|of) (the )?v_hat", r"optax"),
    "amsgrad_no_correction_reddi": (r"without bias correction|not bias-corrected|no bias correction", r"Reddi"),
    "lr_over_sqrt_t_reddi": (r"(lr|alpha) ?/ ?(np\.|math\.)?sqrt\(t\)", r"Reddi|Kingma"),
    "adamax_eps_in_max_torch": (r"eps inside the max|\|g\| \+ eps", r"torch"),
    "adamax_eps_on_u_keras": (r"u \+ eps", r"Keras"),
    "momentum_dampened": (r"dampen", r"torch|deeplearning\.ai"),
    "momentum_sutskever": (r"Sutskever", r"Keras|Sutskever"),
    "momentum_lr_in_velocity": (
        r"lr (is )?(folded )?in(to|side)? the velocity|velocity = momentum \* velocity \+ lr \* g",
        r"Sutskever|Caffe|Keras",
    ),
    "momentum_nesterov_torch": (r"Nesterov", r"torch"),
    "l2_factor_two_keras": (
        r"2 \* weight_decay \* theta|derivative of weight_decay \* \|\|theta\|\|\*\*2",
        r"Keras|torch",
    ),
    "adamw_paper_lambda": (r"not multiplied by lr|paper's (own )?lambda", r"Loshchilov|Algorithm 2"),
}
