"""Custom actions of the 导购陪练 trainer (rasa-sdk registers every module of this package)."""
