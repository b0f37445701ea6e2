// placeholder: the SQL engine lands with the SQL front door
