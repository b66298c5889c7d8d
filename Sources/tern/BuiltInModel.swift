enum BuiltInModel { static let json = "" }
