"""What every part of the server shares: sessions and their snapshots, the scheduler and engine
workers, outlets, frames, the protocol's checks, limits and metrics."""
