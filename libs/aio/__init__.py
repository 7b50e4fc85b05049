"""asyncio helpers every layer may use (no project imports)."""
