"""The A3C agent: the actor-critic loss of a segment and its gradient.

The rhythm (a local copy synced at every segment's start, t_max steps, one
update) is `agents.segment_agent`'s.  The paper's networks take a numpy fast
path (`nets/numpy_fast.py`, and `nets/numpy_vector.py` for vector state) that
computes the same loss and gradient without Chainer's per-operation overhead,
reusing the activations computed while acting; any other model, or
`fast=False`, goes through Chainer's graph.  The policy, a softmax or a
Gaussian, samples its own actions.

`action_bounds` (low, high), for a Gaussian only: the environment clips its
actions to that box, and the loss takes the clipped action policy gradient's
log-probability (`policies.GaussianDistribution.log_prob`) in place of the
density's.
"""
import chainer
import numpy as np
from chainer import functions as F

from agents.returns import n_step_returns, vtrace
from agents.segment_agent import SegmentAgent
from nets import numpy_fast, numpy_vector


def a3c_loss(model, state, obs, actions, rewards, bootstrap_obs, gamma, beta,
             v_loss_coef, action_bounds=None):
    """The segment's loss: sum of -log pi(a|s) (R - V) - beta H + coef (R - V)^2 / 2.

    With `bootstrap_obs` the return is bootstrapped from V of it; without, the
    segment ended in a terminal state."""
    n = len(actions)
    xs = obs if bootstrap_obs is None else np.concatenate([obs, bootstrap_obs[None]])
    pi, v, _ = model.unroll(xs, state)
    bootstrap = 0.0 if bootstrap_obs is None else float(v.array[n, 0])
    returns = n_step_returns(rewards, bootstrap, gamma)
    return graph_loss(pi, v, actions, returns, beta, v_loss_coef, action_bounds=action_bounds)


def graph_loss(pi, v, actions, returns, beta, v_loss_coef, advantages=None,
               action_bounds=None):
    """The actor-critic loss in Chainer's graph over the first len(actions)
    rows; the advantages are returns - V (a constant) unless given."""
    n = len(actions)
    pi, v = pi[:n], F.reshape(v[:n], (n,))
    returns = np.asarray(returns, dtype=v.dtype)
    advantages = returns - v.array if advantages is None else np.asarray(advantages, v.dtype)
    pi_loss = -F.sum(pi.log_prob(actions, action_bounds) * advantages) \
        - beta * F.sum(pi.entropy)
    v_loss = F.sum(F.square(returns - v)) / 2
    return pi_loss + v_loss_coef * v_loss


def fast_path(model, action_bounds=None):
    """The numpy version of the model's network, or None: Chainer's graph."""
    if numpy_fast.supports(model):
        return numpy_fast.NumpyA3C(model)
    if numpy_vector.supports(model):
        return numpy_vector.NumpyVectorA3C(model, action_bounds)
    return None


class A3C(SegmentAgent):

    STATISTICS = ('average_value', 'average_entropy')

    def __init__(self, shared_model, optimizer, t_max=5, gamma=0.99, beta=1e-2,
                 v_loss_coef=0.5, seed=0, lr_schedule=None, fast=True, action_bounds=None):
        super().__init__(shared_model, optimizer, t_max, gamma, seed, lr_schedule)
        self.fast = fast_path(self.model, action_bounds) if fast else None
        self.beta = beta
        self.v_loss_coef = v_loss_coef
        self.action_bounds = action_bounds

    def _forward(self, obs):
        """(the policy's distribution over arrays, values, what the fast
        path's update reuses or None) for one observation; advances the LSTM state."""
        if self.fast:
            out, v, self.state, cache = self.fast.forward(obs[None], self.state)
            return self.fast.distribution(out), v, (out, v, cache)
        with chainer.no_backprop_mode():
            pi, v, self.state = self.model.unroll(obs[None], self.state)
        return pi, v.array[:, 0], None

    def choose(self, obs):
        pi, _, memo = self._forward(obs)
        return pi.sample(self.rng)[0], memo

    def compute_gradient(self, next_obs, next_action):
        if self.fast:
            bootstrap = 0.0
            if next_obs is not None:
                bootstrap = float(self.fast.forward(next_obs[None], self.state)[1][0])
            returns = n_step_returns(self.past_rewards, bootstrap, self.gamma)
            self.fast.loss_and_grads(self.past_memos, self.past_actions, returns,
                                     self.beta, self.v_loss_coef)
            return
        loss = a3c_loss(self.model, self.segment_state, np.stack(self.past_obs),
                        self.past_actions, self.past_rewards, next_obs,
                        self.gamma, self.beta, self.v_loss_coef, self.action_bounds)
        self.model.cleargrads()
        loss.backward()

    def act(self, obs, greedy=False):
        """An action from the current local weights, without learning."""
        pi, v, _ = self._forward(obs)
        self.record(float(v[0]), float(pi.entropy_array()[0]))
        return pi.sample(self.rng, greedy)[0]


class A3CActor:
    """Chooses actions for a batch of games in one forward pass of the shared
    weights, as they are now (the queue architecture's actors: read-only),
    each game from its own state with a recurrent network.  The policy draws
    them, a softmax's indices or a Gaussian's unbounded vectors (the
    environment clips), and gives log mu of what it drew: with
    `action_bounds`, the clipped action policy gradient's, as the learner's
    log pi, so that V-trace's ratios compare like with like."""

    def __init__(self, shared_model, seed, action_bounds=None):
        self.model = shared_model
        self.action_bounds = action_bounds
        self.fast = numpy_fast.NumpyA3C(shared_model) if numpy_fast.supports(
            shared_model) else None
        self.rng = np.random.RandomState(seed % (2 ** 32))

    def at_step(self, step):
        """Its policy is the shared weights' whatever the step."""

    def initial_state(self):
        return self.model.initial_state()

    def act(self, observations, states):
        """(actions, log mu(a|x) of each, each game's state after) for a batch
        of observations, one per game."""
        state = _stack(states)
        if self.fast:
            logits, _, state = self.fast.step(observations, state)
            pi = self.fast.distribution(logits)
        else:
            with chainer.no_backprop_mode():
                pi, _, state = self.model.unroll_batch(observations, [1] * len(observations),
                                                       state)
        actions = pi.sample(self.rng)
        log_mu = pi.log_prob_array(actions, self.action_bounds)
        return actions, log_mu, _rows(state, len(actions))


class A3CLearner:
    """Learns from batches of segments that actors played with older weights:
    one forward pass over the whole batch, V-trace targets for each segment
    (the n-step returns with `vtrace=False`), one update of the shared weights.

    A recurrent network unrolls every segment (its steps, then the
    observation after them) from the state it started from.  The paper's
    networks take the numpy path: the torso and the heads over every row at
    once, the LSTM segment by segment (`NumpyA3C.forward_sequences`), BPTT
    stopping at each segment's start.  Any other goes through Chainer's graph,
    all segments together (`unroll_batch`)."""

    def __init__(self, shared_model, optimizer, gamma=0.99, beta=1e-2, v_loss_coef=0.5,
                 vtrace=True, rho_bar=1.0, c_bar=1.0, lr_schedule=None, action_bounds=None):
        self.model = shared_model
        self.action_bounds = action_bounds
        self.fast = numpy_fast.NumpyA3C(shared_model) if numpy_fast.supports(
            shared_model) else None
        self.optimizer = optimizer
        self.gamma, self.beta, self.v_loss_coef = gamma, beta, v_loss_coef
        self.vtrace, self.rho_bar, self.c_bar = vtrace, rho_bar, c_bar
        self.lr_schedule = lr_schedule

    def at_step(self, step):
        if self.lr_schedule is not None:
            self.optimizer.lr = self.lr_schedule(step)

    def learn(self, segments):
        """`segments`: `training.segment_buffer.Segment`s; returns the batch's loss."""
        actions = np.concatenate([s.actions for s in segments])
        n = len(actions)
        if self.fast:
            logits, v, cache = self.fast.forward_sequences(
                _rows_in_loss_order(segments), [s.state for s in segments],
                _segment_rows(segments))
            pi = self.fast.distribution(logits)
        else:
            xs, lengths, rows = _sequences(segments)
            state = _stack([s.state for s in segments])
            pi, v_var, _ = self.model.unroll_batch(xs, lengths, state)
            pi, v_var = pi[rows], v_var[rows]
            v = v_var.array[:, 0]
        log_pi = pi[:n].log_prob_array(actions, self.action_bounds)
        targets, advantages = self._targets(segments, v, log_pi, n)
        if self.fast:
            loss = self.fast.loss_and_grads([(logits, v, cache)], actions, targets,
                                            self.beta, self.v_loss_coef, advantages,
                                            [len(s.actions) for s in segments])
        else:
            loss = graph_loss(pi, v_var, actions, targets, self.beta, self.v_loss_coef,
                              advantages, self.action_bounds)
            self.model.cleargrads()
            loss.backward()
            loss = float(loss.array)
        self.optimizer.update()
        return loss

    def _targets(self, segments, v, log_pi, n):
        targets, advantages = np.empty(n), np.empty(n)
        start, bootstrap_row = 0, n
        for s in segments:
            end = start + len(s.actions)
            bootstrap = 0.0
            if s.next_obs is not None:
                bootstrap, bootstrap_row = float(v[bootstrap_row]), bootstrap_row + 1
            if self.vtrace:
                targets[start:end], advantages[start:end] = vtrace(
                    s.rewards, v[start:end], bootstrap, log_pi[start:end] - s.log_mu,
                    self.gamma, self.rho_bar, self.c_bar)
            else:
                targets[start:end] = n_step_returns(s.rewards, bootstrap, self.gamma)
                advantages[start:end] = targets[start:end] - v[start:end]
            start = end
        return targets, advantages


def _sequences(segments):
    """(each segment's observations and the one after it, if any, one sequence
    after the other; the sequences' lengths; the rows in the loss's order:
    every step of every segment, then the observations after them)."""
    lengths = [len(s.actions) + (s.next_obs is not None) for s in segments]
    starts = np.cumsum(lengths) - lengths
    steps = [np.arange(start, start + len(s.actions)) for start, s in zip(starts, segments)]
    after = [start + len(s.actions) for start, s in zip(starts, segments)
             if s.next_obs is not None]
    xs = np.concatenate([part for s in segments for part in (
        [s.obs] if s.next_obs is None else [s.obs, s.next_obs[None]])])
    return xs, lengths, np.concatenate(steps + [np.array(after, dtype=int)])


def _rows_in_loss_order(segments):
    """`_sequences`' observations already in the loss's order, in one copy:
    the numpy path's torso takes them so, and its LSTM `_segment_rows` of them."""
    return np.concatenate([s.obs for s in segments] + [
        s.next_obs[None] for s in segments if s.next_obs is not None])


def _segment_rows(segments):
    """Each segment's sequence as rows of `_rows_in_loss_order`: its steps,
    then the observation after them, if any."""
    rows, start, after = [], 0, sum(len(s.actions) for s in segments)
    for s in segments:
        end = start + len(s.actions)
        rows.append(np.arange(start, end) if s.next_obs is None else np.r_[start:end, after])
        after += s.next_obs is not None
        start = end
    return rows


def _stack(states):
    """The games' (or segments') states as one batch, None without memory."""
    return None if states[0] is None else tuple(np.concatenate(parts) for parts in zip(*states))


def _rows(state, n):
    """A batch's state as each game's."""
    return [None if state is None else tuple(part[k:k + 1] for part in state)
            for k in range(n)]
