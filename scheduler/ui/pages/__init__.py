"""The app's pages, one file each (Streamlit runs them as scripts; app.py lists them)."""
