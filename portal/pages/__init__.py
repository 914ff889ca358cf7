"""What the audiences' pages share: forms and their fields, the sentences for services' errors,
query parameters, loaders used by several blueprints, the money filter and server-drawn charts."""
