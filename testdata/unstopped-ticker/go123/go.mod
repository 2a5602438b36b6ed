module example.com/tickers/modern

go 1.23
