class AppError(Exception):
    """An error with an HTTP status code, safe to show to the caller."""

    def __init__(self, message: str, status_code: int = 400, code: str = "bad_request"):
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.code = code

    def to_dict(self) -> dict:
        return {"error": {"code": self.code, "message": self.message}}
