"""The reference jump-host agent: speaks the agent protocol (docs/agent-protocol.md).

A client program, not part of the terminals service: its wire types are terminals'
contract (the server's API uses the same). ``client`` the HTTP calls, ``runner`` an agent
that follows its control channel, ``simulate`` simulated users.
"""
