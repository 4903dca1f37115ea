"""The Scrapy spider, kremlin.ru page parsers and the pipeline that stores items in the archive."""
