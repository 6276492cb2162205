"""The one error type actions raise: a stable machine code plus a zh-Hans message for people."""

from __future__ import annotations


class ActionError(Exception):
    """An action refused to change anything.

    ``code`` is stable and machine-readable (API clients switch on it); ``message`` is zh-Hans and
    says what to do; ``details`` optionally lists the individual unmet conditions; ``field`` names
    the input at fault.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        details: list[str] | None = None,
        field: str | None = None,
        status: int = 400,
    ) -> None:
        super().__init__(message)
        self.status = status  # 403 when the person may not do this at all, else 400
        self.code = code
        self.message = message
        self.details = details or []
        self.field = field

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"code": self.code, "message": self.message}
        if self.details:
            data["details"] = self.details
        if self.field:
            data["field"] = self.field
        return data
