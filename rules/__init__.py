"""Configuration as data (deal kinds and their stages, reference lists, later approval routing,
price groups, numbering, robots) and the small pure evaluators that read it."""
