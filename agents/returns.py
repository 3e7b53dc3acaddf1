"""Discounted returns of a segment."""
import numpy as np


def n_step_returns(rewards, bootstrap, gamma):
    """R_t = r_t + gamma r_{t+1} + ... + gamma^k bootstrap, computed backwards."""
    R = bootstrap
    returns = np.empty(len(rewards))
    for i in reversed(range(len(rewards))):
        R = rewards[i] + gamma * R
        returns[i] = R
    return returns


def vtrace(rewards, values, bootstrap, log_ratios, gamma, rho_bar=1.0, c_bar=1.0):
    """V-trace (Espeholt et al. 2018) for one segment that an older policy mu
    acted and the current policy pi learns from: (value targets v_s, policy
    gradient advantages rho_s (r_s + gamma v_{s+1} - V(x_s))).

    `values` are V(x_s) under the current weights, `bootstrap` V of the state
    after the segment (0 after a terminal state), `log_ratios` log pi(a_s|x_s)
    - log mu(a_s|x_s).  With pi = mu and both bars 1 the targets are the
    n-step returns."""
    ratios = np.exp(np.asarray(log_ratios, dtype=np.float64))
    rhos, cs = np.minimum(rho_bar, ratios), np.minimum(c_bar, ratios)
    values = np.asarray(values, dtype=np.float64)
    next_values = np.append(values[1:], bootstrap)
    deltas = rhos * (np.asarray(rewards, dtype=np.float64) + gamma * next_values - values)
    corrections = np.empty(len(values))  # v_s - V(x_s), computed backwards
    later = 0.0
    for s in reversed(range(len(values))):
        later = deltas[s] + gamma * cs[s] * later
        corrections[s] = later
    targets = values + corrections
    next_targets = np.append(targets[1:], bootstrap)
    advantages = rhos * (np.asarray(rewards, dtype=np.float64) + gamma * next_targets - values)
    return targets, advantages
