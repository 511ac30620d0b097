"""What tests of several folders share: events and their recording, services, processes, the
web app. Fixtures stay in the conftest modules; their helpers live here."""
