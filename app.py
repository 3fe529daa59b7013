"""Streamlit entry: page config and navigation only. Run: ``streamlit run app.py``."""

import streamlit as st

st.set_page_config(page_title="客服排班 Chat roster", page_icon=":material/calendar_month:",
                   layout="wide")
PAGES = "scheduler/ui/pages"
navigation = st.navigation([
    st.Page(f"{PAGES}/data.py", title="数据 Data", icon=":material/upload_file:", default=True),
    st.Page(f"{PAGES}/forecast.py", title="预测 Forecast", icon=":material/trending_up:",
            url_path="forecast"),
    st.Page(f"{PAGES}/coverage.py", title="覆盖 Coverage", icon=":material/grid_on:",
            url_path="coverage"),
    st.Page(f"{PAGES}/roster.py", title="排班表 Roster", icon=":material/view_timeline:",
            url_path="roster"),
    st.Page(f"{PAGES}/whatif.py", title="假设分析 What-if", icon=":material/science:",
            url_path="what-if"),
    st.Page(f"{PAGES}/export.py", title="导出 Export", icon=":material/download:",
            url_path="export"),
    st.Page(f"{PAGES}/backtest.py", title="回测 Backtest", icon=":material/history:",
            url_path="backtest"),
    st.Page(f"{PAGES}/book.py", title="排班簿 Roster book", icon=":material/menu_book:",
            url_path="book"),
    st.Page(f"{PAGES}/today.py", title="今天 Today", icon=":material/today:",
            url_path="today"),
])
navigation.run()
