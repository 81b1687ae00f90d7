//! Care-record pages: the episode, its plan, notes, measures, program, chart and referrals.
