"""The playground: its page, the /ws route and the messages a session understands."""
