"""The playground's web server: page, WebSocket training sessions, lessons and classrooms."""
