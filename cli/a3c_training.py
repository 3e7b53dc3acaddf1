"""What A3C's training scripts (a3c_ale.py, a3c_doom.py, a3c_gym.py) share:
the queue learner's flags and the agent, actor and learner `experiment.train`
makes from their flags."""
import a3c
from cli.arguments import positive_float


def add_queue_arguments(parser):
    parser.add_argument('--no-vtrace', action='store_true',
                        help='queue: learn from n-step returns, without correcting for '
                        "the actors' older policies")
    parser.add_argument('--rho-bar', type=positive_float, default=1.0,
                        help='queue: V-trace truncation of the policy-gradient weights')
    parser.add_argument('--c-bar', type=positive_float, default=1.0,
                        help='queue: V-trace truncation of the traces')


def parts(args, action_bounds=None):
    """`experiment.train`'s make_agent, make_actor and make_learner, as
    keywords; `action_bounds` as `a3c`'s (a Gaussian's clipped action policy
    gradient)."""

    def make_agent(shared, seed, worker):
        return a3c.A3C(shared.model, shared.optimizer, t_max=args.t_max, gamma=args.gamma,
                       beta=args.beta, seed=seed, lr_schedule=shared.lr_schedule,
                       action_bounds=action_bounds)

    def make_actor(shared, seed, index):
        return a3c.A3CActor(shared.model, seed, action_bounds)

    def make_learner(shared):
        return a3c.A3CLearner(shared.model, shared.optimizer, gamma=args.gamma,
                              beta=args.beta, vtrace=not args.no_vtrace,
                              rho_bar=args.rho_bar, c_bar=args.c_bar,
                              lr_schedule=shared.lr_schedule, action_bounds=action_bounds)

    return {'make_agent': make_agent, 'make_actor': make_actor, 'make_learner': make_learner}
