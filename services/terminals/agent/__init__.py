"""The reference jump-host agent: speaks the agent protocol (docs/agent-protocol.md).

``protocol`` holds the wire types (the server's API uses the same), ``client`` the HTTP
calls, ``runner`` an agent that follows its control channel, ``simulate`` simulated users.
"""
