"""The AI-lab layer: one spoke per lab team with Azure OpenAI, Health Data Services, storage."""
