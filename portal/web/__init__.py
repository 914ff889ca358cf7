"""The portal on the web: the blueprints' registration, the user loader, template helpers
(`register.py`), security and caching headers (`caching.py`) and the language choice
(`language.py`)."""
