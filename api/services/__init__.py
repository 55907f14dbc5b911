"""Services: the orchestration behind routes that is more than one repository call."""
