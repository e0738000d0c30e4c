"""Emulation movements: scoring units against a movement's targets (chỉ tiêu thi đua)."""
