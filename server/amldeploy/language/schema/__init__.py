"""The JSON Schemas of the formats and the validator that interprets them."""
