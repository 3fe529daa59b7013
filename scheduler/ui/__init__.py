"""The Streamlit app's pages and their helpers. Pages are thin views over session state
(``scheduler.ui.state``); figures come from ``scheduler.plotting``, scenarios from
``scheduler.whatif``; the only other package that imports streamlit is ``app.py``."""
