"""API errors in WordPress's REST shape: {"code", "message", "data": {"status", ...}}."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **data: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.data = data

    def document(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "data": {"status": self.status, **self.data}}

    def response(self, headers: dict[str, str] | None = None) -> JSONResponse:
        return JSONResponse(self.document(), status_code=self.status, headers=headers)


def request_timeout(seconds: float) -> ApiError:
    return ApiError(408, "rest_request_timeout", f"The request body did not arrive within {seconds:g} s.")


def missing_params(names: list[str]) -> ApiError:
    return ApiError(400, "rest_missing_callback_param", "Missing parameter(s): " + ", ".join(names), params=names)


def invalid_params(reasons: dict[str, str]) -> ApiError:
    return ApiError(400, "rest_invalid_param", "Invalid parameter(s): " + ", ".join(reasons), params=reasons)


def invalid_url(message: str = "Webhook URL must be a valid HTTPS URL.") -> ApiError:
    return ApiError(400, "invalid_webhook_url", message)


def invalid_event(event: Any) -> ApiError:
    return ApiError(400, "invalid_webhook_event", f"Event type '{event}' is not supported.")


def invalid_json() -> ApiError:
    return ApiError(400, "rest_invalid_json", "Invalid JSON body passed.")


def too_large(limit: int) -> ApiError:
    return ApiError(413, "rest_request_too_large", f"Request body is larger than {limit} bytes.")


def webhook_not_found() -> ApiError:
    return ApiError(404, "rest_post_invalid_id", "Invalid webhook ID.")


def delivery_not_found() -> ApiError:
    return ApiError(404, "rest_post_invalid_id", "Invalid delivery ID.")


def delivery_erased() -> ApiError:
    return ApiError(409, "delivery_erased",
                    "This delivery's data was erased at the contact's request; it cannot be sent again.")


def delivery_paused() -> ApiError:
    return ApiError(409, "delivery_paused",
                    "Delivery is paused (PUT /v2/delivery): nothing is sent, test events included, until it is resumed.")


def not_logged_in() -> ApiError:
    return ApiError(401, "rest_not_logged_in", "Missing or invalid API token: send Authorization: Bearer <token>.")


def no_route() -> ApiError:
    return ApiError(404, "rest_no_route", "No route was found matching the URL and request method.")
