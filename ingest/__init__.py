"""Ingestion: read report files, split them into sentences with exact offsets, and write the store."""
