module example.com/respbody

go 1.22
