"""Names of deal kinds, stages and custom fields in the reader's language, from the reference data
(the database holds a Russian and an English name for each)."""

from __future__ import annotations

from api.deals.queries import ChangeView


class Labels:
    def __init__(self, reference: dict, language: str) -> None:
        def name(row: dict, field: str = "name") -> str:
            return (language == "en" and row.get(f"{field}_en")) or row[field]

        kinds = reference["kinds"]
        self.kinds = {k["code"]: name(k) for k in kinds}
        self.stages = {(k["code"], s["code"]): name(s) for k in kinds for s in k["stages"]}
        # History keeps the stage's Russian name; the English reader sees the English one.
        self.stage_names = {(k["code"], s["name"]): name(s) for k in kinds for s in k["stages"]}
        self.fields = {(k["code"], f["code"]): name(f, "label") for k in kinds for f in k["custom_fields"]}
        self.channels = {c["id"]: name(c) for c in reference["channels"]}

    def kind(self, code: str) -> str:
        return self.kinds.get(code, code)

    def stage(self, kind: str, code: str) -> str:
        return self.stages.get((kind, code), code)

    def field(self, kind: str, code: str) -> str:
        return self.fields.get((kind, code), code)

    def channel(self, ident: int | None, default: str = "") -> str:
        return self.channels.get(ident, default) if ident is not None else default

    def history_comment(self, kind: str, change: ChangeView) -> str:
        """A stage move without a comment of its own carries "old_code → new_code"; the row
        already shows the stages by name, so that comment says nothing more."""
        codes = change.comment.split(" → ")
        if change.action == "stage" and len(codes) == 2 and all((kind, c) in self.stages for c in codes):
            return ""
        return change.comment

    def history_value(self, kind: str, change: ChangeView, value: str) -> str:
        if change.field == "stage_code":
            return self.stage_names.get((kind, value), value)
        return value
