"""core: the bottom layer. Owns the base model (UUID ids, UTC timestamps), Money and its one
parser (core.money.parse_amount, used by the API and the pages), domain errors, guarded state
transitions (core.state.transition, the only status setter), configuration (core.conf) and the
operations commands (backup/restore). Imports no other o2o app."""
