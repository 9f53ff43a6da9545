"""Workflow ids people can read and find: `deal-1042`, `approval-1042-2`."""


def deal_workflow_id(number: int) -> str:
    return f"deal-{number}"


def approval_workflow_id(deal_number: int, round_number: int) -> str:
    return f"approval-{deal_number}-{round_number}"
