"""Tests for gateway.relay: routing, retry policy, circuit breakers and HTTP delivery."""
