"""Custom Rasa input channels (connectors) of the 导购陪练 trainer."""
