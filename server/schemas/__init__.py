"""Request and response declarations (pydantic): validation and the OpenAPI document."""
