"""Policy step: stances, answers, scopes, experiments, the site map, GLUE 2.0 capability
rules, and loading and checking config/*.yaml."""
